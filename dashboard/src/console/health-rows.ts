import { readAll, tenantPath, type Api } from '../api/client.js';
import type { Endpoint, StatsFigures, Tenant, TenantStats } from '../api/types.js';

export interface HealthRow {
  tenant: Tenant;
  endpoint: Endpoint;
  figures: StatsFigures | null;
}

/**
 * One tenant's endpoints with their last 24 h: two calls. The view asks this only for the
 * tenants of the pages it has shown, so its cost does not grow with the number of tenants.
 * (One aggregate call across tenants needs a store query that does not exist yet.)
 */
export async function tenantHealth(api: Api, tenant: Tenant): Promise<HealthRow[]> {
  const base = tenantPath(tenant.id);
  const [endpoints, stats] = await Promise.all([readAll<Endpoint>(api, `${base}/endpoints`), api<TenantStats>('GET', `${base}/stats`)]);
  return endpoints.map((endpoint) => ({ tenant, endpoint, figures: stats.endpoints.find((s) => s.endpointId === endpoint.id)?.totals ?? null }));
}

/** The most failing and slowest first; no traffic last. */
export function worstFirst(rows: HealthRow[]): HealthRow[] {
  const rate = (row: HealthRow) => row.figures?.successRate ?? 2;
  return [...rows].sort((a, b) => rate(a) - rate(b) || (b.figures?.avgLatencyMs ?? -1) - (a.figures?.avgLatencyMs ?? -1));
}

export const matchesSearch = (row: HealthRow, search: string) => {
  const needle = search.trim().toLowerCase();
  return !needle || [row.tenant.id, row.tenant.name, row.endpoint.url].some((text) => text.toLowerCase().includes(needle));
};
