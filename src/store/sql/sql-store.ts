import type { Kysely } from 'kysely';
import type { Store } from '../store.js';
import { auditRepository } from './audit-repository.js';
import { eventTypeRepository, metaRepository, tenantRepository } from './catalog-repositories.js';
import { credentialRepository } from './credential-repository.js';
import { deliveryQueue } from './delivery-queue.js';
import { deliveryRepository } from './delivery-repository.js';
import { endpointRepository } from './endpoint-repository.js';
import { eventRepository } from './event-repository.js';
import type { DeferredFanOut } from './fan-out.js';
import { operatorRepository } from './operator-repository.js';
import { healthRepository } from './health-repository.js';
import { migrateToLatest, type SqlDialect } from './migrator.js';
import { sealedValueRepository } from './sealed-values.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/**
 * The repositories both databases share, assembled over one Kysely instance. A concrete
 * store passes in its dialect (transactions, claim locking, wake-ups) and closes its own
 * connections. With `fanOut` (SQLite) large publishes write parts, and whatever reads
 * deliveries (their log, the health pages, a claim) first waits for the parts written before it.
 */
export function createSqlStore(
  db: Kysely<Database>,
  kind: SqlDialect,
  dialect: StoreDialect,
  close: () => Promise<void>,
  fanOut: DeferredFanOut | null = null,
): Store {
  const wake = () => dialect.wake();
  const endpointsChanged = (tenantId: string | null) => dialect.endpointsChanged(tenantId);
  const afterFanOuts = <T extends object>(repository: T): T => (fanOut ? settledFirst(repository, fanOut) : repository);
  const queue = deliveryQueue(db, kind, dialect);
  return {
    kind,
    async migrate() {
      await migrateToLatest(db, kind);
      await fanOut?.resume();
    },
    async close() {
      await fanOut?.close();
      await close();
    },
    meta: metaRepository(db),
    eventTypes: eventTypeRepository(db, () => endpointsChanged(null)),
    tenants: tenantRepository(db, endpointsChanged),
    credentials: credentialRepository(db, kind, dialect),
    endpoints: endpointRepository(db, kind, dialect),
    operator: operatorRepository(db),
    events: eventRepository(db, kind, dialect, fanOut),
    deliveries: afterFanOuts(deliveryRepository(db, wake)),
    // The engine's records need not wait: the parts' own transactions wake it for what they make.
    queue: { ...queue, ...afterFanOuts({ claim: queue.claim, claimOne: queue.claimOne, depth: queue.depth, gauges: queue.gauges, nextDueAt: queue.nextDueAt }) },
    audit: auditRepository(db),
    health: afterFanOuts(healthRepository(db)),
    onEndpointsChanged: (listener) => dialect.onEndpointsChanged(listener),
    catchUpOnChanges: () => dialect.catchUp(),
    sealedValues: sealedValueRepository(db, kind),
  };
}

/** The same repository, each of its methods waiting first for the parts written before the call. */
function settledFirst<T extends object>(repository: T, fanOut: DeferredFanOut): T {
  const settled = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(repository)) {
    settled[name] = typeof method === 'function' ? async (...args: unknown[]) => (await fanOut.settled(), method(...args)) : method;
  }
  return settled as T;
}
