import type { HeraldCluster } from './herald-cluster.js';
import { BENCH_EVENT_TYPE } from './payload.js';
import type { ReceiverProcess } from './receiver-process.js';

export const BENCH_TENANT = 'bench';

export interface TenantSetup {
  /** Receiver paths, one endpoint each, all subscribed to the bench event type. */
  endpointPaths: string[];
  /** Tenant settings beyond the defaults, e.g. a short attempt timeout. */
  tenantSettings?: Record<string, unknown>;
  /** Fields every endpoint is created with beyond url and event types, e.g. `{ ordering: 'fifo' }`. */
  endpointFields?: Record<string, unknown>;
}

/** The bench event type, one tenant and its endpoints on the receiver; answers the endpoint ids. */
export async function setupTenant(herald: HeraldCluster, receiver: ReceiverProcess, setup: TenantSetup): Promise<string[]> {
  await herald.admin('POST', '/api/v1/event-types', { name: BENCH_EVENT_TYPE, description: 'bench traffic' });
  await herald.admin('POST', '/api/v1/tenants', { id: BENCH_TENANT, name: 'Bench', ...(setup.tenantSettings ? { settings: setup.tenantSettings } : {}) });
  const ids: string[] = [];
  for (const path of setup.endpointPaths) {
    const endpoint = await herald.admin<{ id: string }>('POST', `/api/v1/tenants/${BENCH_TENANT}/endpoints`, {
      url: receiver.url(path),
      eventTypes: [BENCH_EVENT_TYPE],
      ...setup.endpointFields,
    });
    ids.push(endpoint.id);
  }
  return ids;
}
