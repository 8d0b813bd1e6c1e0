import { runClosedLoop } from '../load/run-bounded.js';
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

/** The event type a crowd's other endpoints subscribe to: nothing the bench publishes. */
export const OTHER_EVENT_TYPE = 'bench.other';

export interface CrowdSetup {
  tenants: number;
  endpointsPerTenant: number;
  /** Receiver path of each tenant's first endpoint, the one subscribed to the bench event type. */
  path: string;
}

/** Admin calls in flight while a crowd is made, and how long making it may take. */
const SETUP_CONCURRENCY = 8;
const SETUP_DEADLINE_MS = 300_000;

/**
 * Many tenants beside the bench tenant (call setupTenant first: it makes the bench event type),
 * each with `endpointsPerTenant` endpoints: the first subscribed to the bench event type, the
 * others to a type nothing publishes. Answers the tenant ids.
 */
export async function setupCrowd(herald: HeraldCluster, receiver: ReceiverProcess, crowd: CrowdSetup): Promise<string[]> {
  await herald.admin('POST', '/api/v1/event-types', { name: OTHER_EVENT_TYPE, description: 'subscribed to, never published' });
  const tenants = Array.from({ length: crowd.tenants }, (_, i) => `crowd-${String(i).padStart(5, '0')}`);
  const makeTenant = async (id: string) => {
    await herald.admin('POST', '/api/v1/tenants', { id, name: id });
    for (let e = 0; e < crowd.endpointsPerTenant; e++) {
      const eventTypes = [e === 0 ? BENCH_EVENT_TYPE : OTHER_EVENT_TYPE];
      await herald.admin('POST', `/api/v1/tenants/${id}/endpoints`, { url: receiver.url(e === 0 ? crowd.path : `${crowd.path}/other-${e}`), eventTypes });
    }
  };
  await runClosedLoop(tenants.length, SETUP_CONCURRENCY, Date.now() + SETUP_DEADLINE_MS, (i) => makeTenant(tenants[i]!));
  return tenants;
}
