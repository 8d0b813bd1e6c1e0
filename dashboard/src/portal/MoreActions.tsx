import { useId, useState } from 'react';
import type { Count, Endpoint, RotatedSecret } from '../api/types.js';
import type { ShownKey } from './SecretDialog.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { useAction } from '../components/use-action.js';
import { ErrorLine } from '../components/Feedback.js';
import { useI18n } from '../i18n/index.js';
import type { PortalData } from './Portal.js';

/** Seconds the old secret keeps signing after a rotation; the server's default is a day. */
const GRACE_CHOICES = [0, 3600, 86_400, 7 * 86_400];

/** The rarer endpoint actions, behind a disclosure; the ones that cannot be undone ask first. */
export function MoreActions(props: { data: PortalData; endpoint: Endpoint; path: string; onNotice: (text: string) => void; onSecret: (shown: ShownKey) => void; onTest: () => void }) {
  const { data, endpoint, path } = props;
  const { t } = useI18n();
  const [asking, setAsking] = useState<'rotate' | 'disable' | null>(null);
  const [grace, setGrace] = useState(86_400);
  const graceId = useId();
  const retryFailed = useAction(async () => {
    const { count } = await data.api<Count>('POST', `${path}/retry-failed`, {});
    props.onNotice(t('endpoints.retried', { count }));
  });
  return (
    <details className="more">
      <summary>{t('endpoints.more')}</summary>
      <div className="actions">
        {endpoint.status === 'disabled' && (
          <button type="button" onClick={props.onTest}>
            {t('endpoints.sendTest')}
          </button>
        )}
        <button type="button" onClick={() => void retryFailed.run()}>
          {t('endpoints.retryFailed')}
        </button>
        <button type="button" onClick={() => setAsking('rotate')}>
          {t('endpoints.rotate')}
        </button>
        {endpoint.status !== 'disabled' && (
          <button type="button" className="danger-outline" onClick={() => setAsking('disable')}>
            {t('endpoints.disable')}
          </button>
        )}
      </div>
      <RecoverForm data={data} path={path} onNotice={props.onNotice} />
      <ErrorLine error={retryFailed.error} />
      {asking === 'rotate' && (
        <ConfirmDialog
          title={t('rotate.title')}
          confirm={t('endpoints.rotate')}
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            const shown = await data.api<RotatedSecret>('POST', `${path}/rotate-secret`, { gracePeriodSeconds: grace });
            setAsking(null);
            props.onSecret(shown);
            await data.reload();
          }}
        >
          <p>{t('rotate.text')}</p>
          <div className="field">
            <label htmlFor={graceId}>{t('rotate.grace')}</label>
            <select id={graceId} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
              {GRACE_CHOICES.map((seconds) => (
                <option key={seconds} value={seconds}>
                  {t(`rotate.grace.${seconds}` as 'rotate.grace.0')}
                </option>
              ))}
            </select>
          </div>
        </ConfirmDialog>
      )}
      {asking === 'disable' && (
        <ConfirmDialog
          title={t('disable.title')}
          confirm={t('endpoints.disable')}
          danger
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            await data.api('POST', `${path}/disable`, {});
            setAsking(null);
            await data.reload();
          }}
        >
          <p>{t('disable.text')}</p>
        </ConfirmDialog>
      )}
    </details>
  );
}

/** `<input type="datetime-local">` speaks local time; the API speaks ISO instants. */
export const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

function RecoverForm({ data, path, onNotice }: { data: PortalData; path: string; onNotice: (text: string) => void }) {
  const { t } = useI18n();
  const [since, setSince] = useState('');
  const id = useId();
  const recover = useAction(async (iso: string) => {
    const { count } = await data.api<Count>('POST', `${path}/recover`, { since: iso });
    onNotice(t('endpoints.recovered', { count }));
  });
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const iso = toIso(since);
        if (iso) void recover.run(iso);
      }}
    >
      <label htmlFor={id}>{t('endpoints.recoverSince')}</label>
      <input id={id} type="datetime-local" step="1" required value={since} onChange={(e) => setSince(e.target.value)} />
      <button type="submit" disabled={!since || recover.busy}>
        {t('endpoints.recover')}
      </button>
      <ErrorLine error={recover.error} />
    </form>
  );
}
