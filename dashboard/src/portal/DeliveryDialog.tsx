import type { DeliveryDetail } from '../api/types.js';
import { Badge, deliveryTone } from '../components/Badge.js';
import { CopyButton } from '../components/CopyField.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine, Notice } from '../components/Feedback.js';
import { useAction } from '../components/use-action.js';
import { useLoaded } from '../components/use-paged.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { useState } from 'react';
import { AttemptTimeline } from './AttemptTimeline.js';
import { nextAttemptText } from './DeliveriesView.js';
import type { PortalData } from './Portal.js';

/** Statuses whose meaning is not obvious get a sentence under the badge. */
const EXPLAINED = new Set(['failed', 'dead', 'pending', 'canceled']);

export function DeliveryDialog({ data, id, onClose, onChanged }: { data: PortalData; id: string; onClose: () => void; onChanged: () => void }) {
  const i18n = useI18n();
  const { t, date } = i18n;
  const path = `${data.base}/deliveries/${encodeURIComponent(id)}`;
  const detail = useLoaded(() => data.api<DeliveryDetail>('GET', path), [data.api, path]);
  const [notice, setNotice] = useState<string | null>(null);
  const retry = useAction(async () => {
    await data.api('POST', `${path}/retry`, {});
    setNotice(t('delivery.retried'));
    onChanged();
    await detail.reload();
  });
  const d = detail.value;
  const endpoint = d ? data.endpoints?.find((item) => item.id === d.endpointId) : undefined;
  const title = d ? t('delivery.titleTo', { type: d.eventType, url: endpoint?.url ?? d.endpointId }) : t('common.loading');
  return (
    <Dialog title={title} onClose={onClose} wide>
      <ErrorLine error={detail.error ?? retry.error} />
      {d && (
        <>
          <div className="section-head">
            <Badge tone={deliveryTone(d.status)}>{t(`dstatus.${d.status}` as MessageKey)}</Badge>
            <button
              type="button"
              className="primary"
              disabled={retry.busy}
              onClick={() => void retry.run()}
            >
              {t('delivery.retry')}
            </button>
          </div>
          {EXPLAINED.has(d.status) && <p className="muted">{t(`dstatus.${d.status}.about` as MessageKey)}</p>}
          <Notice text={notice} />
          <dl className="facts">
            <dt>{t('deliveries.endpoint')}</dt>
            <dd className="mono url" dir="ltr">
              {endpoint?.url ?? d.endpointId}
            </dd>
            <dt>{t('delivery.id')}</dt>
            <dd>
              <code dir="ltr">{d.id}</code> <CopyButton value={d.id} label={t('delivery.copyId')} />
            </dd>
            <dt>{t('delivery.eventId')}</dt>
            <dd>
              <code dir="ltr">{d.eventId}</code> <CopyButton value={d.eventId} label={t('delivery.copyEventId')} />
            </dd>
            <dt>{t('deliveries.created')}</dt>
            <dd>{date(d.createdAt)}</dd>
            <dt>{t('delivery.nextAttempt')}</dt>
            <dd>{nextAttemptText(i18n, d, endpoint)}</dd>
          </dl>
          <h3>{t('delivery.attempts')}</h3>
          <AttemptTimeline attempts={d.attempts} maxAttempts={d.maxAttempts} />
          <h3>{t('delivery.payload')}</h3>
          <pre dir="ltr">{JSON.stringify(d.event, null, 2)}</pre>
          <CopyButton value={JSON.stringify(d.event, null, 2)} label={t('delivery.copyPayload')} />
        </>
      )}
    </Dialog>
  );
}
