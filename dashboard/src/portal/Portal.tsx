import { useEffect, useState } from 'react';
import { readAll, tenantPath, type Api } from '../api/client.js';
import type { Endpoint, EventType, Tenant } from '../api/types.js';
import { applyBrandColor, BrandContext, mergeBrand, operatorBrand } from '../components/brand.js';
import { ErrorLine } from '../components/Feedback.js';
import { Shell, type Tab } from '../components/Shell.js';
import { useLoaded } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';
import { AuditView } from './AuditView.js';
import { CatalogView } from './CatalogView.js';
import { DeliveriesView } from './DeliveriesView.js';
import { EndpointPage } from './EndpointPage.js';
import { EndpointsView } from './EndpointsView.js';

type PortalTab = 'endpoints' | 'deliveries' | 'catalog' | 'audit';
const TABS: Tab<PortalTab>[] = [
  { key: 'endpoints', label: 'tabs.endpoints' },
  { key: 'deliveries', label: 'tabs.deliveries' },
  { key: 'catalog', label: 'tabs.catalog' },
  { key: 'audit', label: 'tabs.audit' },
];

/** What the portal's views share: the API, the tenant's base path, its endpoints and the catalog. */
export interface PortalData {
  api: Api;
  base: string;
  endpoints: Endpoint[] | null;
  catalog: EventType[];
  /** The tenant's envelope style: what its endpoints receive (the filter tester builds one). */
  envelope: 'snake' | 'camel';
  reload: () => Promise<void>;
}

/** Where the user is: a tab, optionally narrowed to one endpoint or one delivery. */
export interface PortalPlace {
  tab: PortalTab;
  endpointId?: string;
  deliveryId?: string;
  /** The endpoint page (chart, failures, filter tester) instead of the list. */
  endpointPage?: boolean;
}

export function Portal({ api, tenantId, onSignOut, onBack }: { api: Api; tenantId: string; onSignOut: () => void; onBack?: () => void }) {
  const { t } = useI18n();
  const [place, go] = useState<PortalPlace>({ tab: 'endpoints' });
  const base = tenantPath(tenantId);
  const lists = useLoaded(() => Promise.all([readAll<Endpoint>(api, `${base}/endpoints`), readAll<EventType>(api, '/event-types')]), [api, base]);
  const tenant = useLoaded(() => api<Tenant>('GET', base), [api, base]);
  const brand = mergeBrand(operatorBrand(), tenant.value?.settings.portal);
  useEffect(() => {
    applyBrandColor(brand.color);
    return () => applyBrandColor(null);
  }, [brand.color]);
  useEffect(() => {
    if (place.tab === 'endpoints') void lists.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [place.tab]);

  const data: PortalData = { api, base, endpoints: lists.value?.[0] ?? null, catalog: lists.value?.[1] ?? [], envelope: tenant.value?.settings.envelope ?? 'snake', reload: lists.reload };
  const endpoint = place.endpointPage ? data.endpoints?.find((item) => item.id === place.endpointId) : undefined;
  return (
    <BrandContext.Provider value={brand}>
      <Shell
        context={t('portal.tenant', { id: tenant.value?.name ?? tenantId })}
        tabs={TABS}
        tab={place.tab}
        onTab={(tab) => go({ tab })}
        onSignOut={onSignOut}
        extra={
          onBack && (
            <button type="button" className="ghost" onClick={onBack}>
              {t('portal.backToConsole')}
            </button>
          )
        }
      >
        <ErrorLine error={lists.error} />
        {place.tab === 'endpoints' && (endpoint ? <EndpointPage data={data} endpoint={endpoint} go={go} /> : <EndpointsView data={data} go={go} />)}
        {place.tab === 'deliveries' && <DeliveriesView data={data} place={place} go={go} />}
        {place.tab === 'catalog' && <CatalogView catalog={data.catalog} />}
        {place.tab === 'audit' && <AuditView api={api} base={base} />}
      </Shell>
    </BrandContext.Provider>
  );
}
