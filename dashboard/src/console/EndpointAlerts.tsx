import type { Api } from '../api/client.js';
import type { EndpointAlert } from '../api/types.js';
import { usePaged } from '../components/use-paged.js';
import { serverText } from '../i18n/errors.js';
import { useI18n } from '../i18n/index.js';

/**
 * A banner per tenant endpoint that is failing or disabled, from one call for all tenants
 * (GET /operator/endpoint-alerts), each with a way into that tenant's portal.
 */
export function EndpointAlerts({ api, onOpen }: { api: Api; onOpen: (tenantId: string) => void }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const alerts = usePaged<EndpointAlert>(api, '/operator/endpoint-alerts', 20);
  if (!alerts.items || alerts.items.length === 0) return null;
  return (
    <section className="alerts" aria-label={t('alerts.title')}>
      {alerts.items.map((alert) => (
        <div key={alert.endpointId} className={`banner ${alert.status === 'disabled' ? 'bad' : 'warn'}`} role="status" data-endpoint={alert.endpointId}>
          <span>
            {alert.status === 'disabled'
              ? t('alerts.disabled', { tenant: alert.tenantId })
              : t('alerts.failing', { tenant: alert.tenantId, count: number(alert.consecutiveFailures) })}{' '}
            <bdi className="mono url" dir="ltr">
              {alert.url}
            </bdi>
            {alert.status === 'disabled' && alert.disabledReason && (
              <span className="muted">
                {' '}
                — <bdi>{serverText(i18n, alert.disabledReason)}</bdi>
              </span>
            )}
          </span>
          <button type="button" className="small-button" onClick={() => onOpen(alert.tenantId)}>
            {t('alerts.open', { tenant: alert.tenantId })}
          </button>
        </div>
      ))}
      {alerts.loadMore && (
        <button type="button" className="ghost" onClick={alerts.loadMore}>
          {t('alerts.more')}
        </button>
      )}
    </section>
  );
}
