import { useState } from 'react';
import { readAll, type Api } from '../api/client.js';
import type { Endpoint, EventType, OperationalEventType } from '../api/types.js';
import { ErrorLine } from '../components/Feedback.js';
import { useLoaded } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';
import { DeliveriesView } from '../portal/DeliveriesView.js';
import { EndpointPage } from '../portal/EndpointPage.js';
import { EndpointsView } from '../portal/EndpointsView.js';
import type { PortalData, PortalPlace } from '../portal/Portal.js';
import { OperatorSettingsForm } from './OperatorSettingsForm.js';

/** The operator's own endpoints live at /api/v1/operator with the tenant routes' shapes. */
const OPERATOR_BASE = '/operator';

/** Operational event types as the endpoint form's catalog: no schema, never deprecated. */
const asCatalog = (types: OperationalEventType[]): EventType[] =>
  types.map((type) => ({ ...type, schema: null, deprecated: false, createdAt: '', updatedAt: '' }));

/**
 * The operator's endpoints, which receive Herald's operational events, and their deliveries:
 * the portal's own views (cards, form, test, rotate, enable/disable, delivery log, retry)
 * over the operator's base path and catalog, plus the operator's settings.
 */
export function OperatorView({ api }: { api: Api }) {
  const { t } = useI18n();
  const [place, go] = useState<PortalPlace>({ tab: 'endpoints' });
  const lists = useLoaded(
    () => Promise.all([readAll<Endpoint>(api, `${OPERATOR_BASE}/endpoints`), readAll<OperationalEventType>(api, `${OPERATOR_BASE}/event-types`)]),
    [api],
  );
  const data: PortalData = { api, base: OPERATOR_BASE, endpoints: lists.value?.[0] ?? null, catalog: asCatalog(lists.value?.[1] ?? []), envelope: 'snake', reload: lists.reload };
  const endpoint = place.endpointPage ? data.endpoints?.find((item) => item.id === place.endpointId) : undefined;
  const show = (tab: PortalPlace['tab']) => {
    go({ tab });
    if (tab === 'endpoints') void lists.reload();
  };
  return (
    <div className="operator">
      <p className="muted">{t('operator.intro')}</p>
      <OperatorSettingsForm api={api} />
      <nav className="subtabs" aria-label={t('operator.sections')}>
        {(['endpoints', 'deliveries'] as const).map((tab) => (
          <button key={tab} type="button" className="tab" aria-current={place.tab === tab ? 'page' : undefined} onClick={() => show(tab)}>
            {t(tab === 'endpoints' ? 'operator.endpoints' : 'operator.deliveries')}
          </button>
        ))}
      </nav>
      <ErrorLine error={lists.error} />
      {place.tab === 'endpoints' && (endpoint ? <EndpointPage data={data} endpoint={endpoint} go={go} /> : <EndpointsView data={data} go={go} />)}
      {place.tab === 'deliveries' && <DeliveriesView data={data} place={place} go={go} />}
    </div>
  );
}
