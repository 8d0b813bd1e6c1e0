import type { ShownKey } from './SecretDialog.js';
import { useId, useState } from 'react';
import type { Endpoint, TenantStats } from '../api/types.js';
import { Badge, endpointTone } from '../components/Badge.js';
import { ErrorLine, Notice } from '../components/Feedback.js';
import { useAction } from '../components/use-action.js';
import { Sparkline } from '../components/Sparkline.js';
import type { MessageKey } from '../i18n/en.js';
import { serverText } from '../i18n/errors.js';
import { useI18n } from '../i18n/index.js';
import { EndpointForm } from './EndpointForm.js';
import { MoreActions } from './MoreActions.js';
import type { PortalData, PortalPlace } from './Portal.js';
import { SendTestDialog } from './SendTestDialog.js';

/**
 * One endpoint: what it is and how it is doing, one main action (Send test, or Enable when it
 * is disabled), and the rarer actions behind "More actions".
 */
export function EndpointCard(props: { data: PortalData; endpoint: Endpoint; stats: TenantStats | null; go: (place: PortalPlace) => void; onSecret: (shown: ShownKey) => void }) {
  const { data, endpoint, go } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const [dialog, setDialog] = useState<'test' | 'edit' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = useId();
  const path = `${data.base}/endpoints/${encodeURIComponent(endpoint.id)}`;
  const disabled = endpoint.status === 'disabled';
  const enable = useAction(async () => {
    await data.api('POST', `${path}/enable`, {});
    setNotice(t('endpoints.enabled'));
    await data.reload();
  });

  return (
    <li className="card endpoint" aria-labelledby={headingId}>
      <div className="card-head">
        <h2 id={headingId} className="url mono" dir="ltr">
          {endpoint.url}
        </h2>
        <Badge tone={endpointTone(endpoint.status)}>{t(`status.${endpoint.status}` as MessageKey)}</Badge>
      </div>
      {endpoint.description && <p dir="auto">{endpoint.description}</p>}
      {props.stats && <Sparkline stats={props.stats.endpoints.find((s) => s.endpointId === endpoint.id)} from={props.stats.from} to={props.stats.to} bucketMs={props.stats.bucketMs} />}
      <dl className="facts">
        <dt>{t('endpoints.events')}</dt>
        <dd>
          {endpoint.eventTypes.map((type) => (
            <code key={type} className="chip" dir="ltr">
              {type}
            </code>
          ))}
          {!endpoint.signed && <Badge tone="idle">{t('endpoints.unsigned')}</Badge>}
        </dd>
      </dl>
      {endpoint.consecutiveFailures > 0 && (
        <p className="warn-text" role="status">
          ⚠ {t('endpoints.failures', { count: endpoint.consecutiveFailures })}
        </p>
      )}
      {endpoint.disabledReason && endpoint.status !== 'active' && (
        <p className="muted">
          {t('endpoints.disabledReason')} <bdi>{serverText(i18n, endpoint.disabledReason)}</bdi>
        </p>
      )}
      <div className="actions" role="group" aria-label={t('endpoints.actions', { url: endpoint.url })}>
        {disabled ? (
          <button type="button" className="primary" disabled={enable.busy} onClick={() => void enable.run()}>
            {t('endpoints.enable')}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => setDialog('test')}>
            {t('endpoints.sendTest')}
          </button>
        )}
        <button type="button" onClick={() => go({ tab: 'deliveries', endpointId: endpoint.id })}>
          {t('endpoints.showDeliveries')}
        </button>
        <button type="button" onClick={() => go({ tab: 'endpoints', endpointId: endpoint.id, endpointPage: true })}>
          {t('endpoints.details')}
        </button>
        <button type="button" onClick={() => setDialog('edit')}>
          {t('endpoints.edit')}
        </button>
      </div>
      <MoreActions data={data} endpoint={endpoint} path={path} onNotice={setNotice} onSecret={props.onSecret} onTest={() => setDialog('test')} />
      <Notice text={notice} />
      <ErrorLine error={enable.error} />
      {dialog === 'test' && <SendTestDialog data={data} endpoint={endpoint} path={path} go={go} onClose={() => setDialog(null)} />}
      {dialog === 'edit' && (
        <EndpointForm
          data={data}
          endpoint={endpoint}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            setNotice(t('endpoints.saved'));
            void data.reload();
          }}
        />
      )}
    </li>
  );
}
