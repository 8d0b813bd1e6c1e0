import { readAll, tenantPath, type Api } from '../api/client.js';
import type { Endpoint, StatsFigures, Tenant, TenantStats } from '../api/types.js';

export interface HealthRow {
  tenant: Tenant;
  endpoint: Endpoint;
  figures: StatsFigures | null;
}

/**
 * The endpoints of one page of tenants with their last 24 h, the most failing and slowest
 * first. Two calls per tenant of the page, so a page costs the same with ten tenants or ten
 * thousand. (One aggregate call across tenants needs a store query that does not exist yet.)
 */
export async function healthRows(api: Api, tenants: Tenant[]): Promise<HealthRow[]> {
  const perTenant = await Promise.all(
    tenants.map(async (tenant) => {
      const base = tenantPath(tenant.id);
      const [endpoints, stats] = await Promise.all([readAll<Endpoint>(api, `${base}/endpoints`), api<TenantStats>('GET', `${base}/stats`)]);
      return endpoints.map((endpoint) => ({ tenant, endpoint, figures: stats.endpoints.find((s) => s.endpointId === endpoint.id)?.totals ?? null }));
    }),
  );
  const rate = (row: HealthRow) => row.figures?.successRate ?? 2; // no traffic sorts last
  return perTenant.flat().sort((a, b) => rate(a) - rate(b) || (b.figures?.avgLatencyMs ?? -1) - (a.figures?.avgLatencyMs ?? -1));
}

export const matchesSearch = (row: HealthRow, search: string) => {
  const needle = search.trim().toLowerCase();
  return !needle || [row.tenant.id, row.tenant.name, row.endpoint.url].some((text) => text.toLowerCase().includes(needle));
};
