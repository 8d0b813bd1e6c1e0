import type { Kysely } from 'kysely';
import type { Store } from '../store.js';
import { auditRepository } from './audit-repository.js';
import { eventTypeRepository, metaRepository, tenantRepository } from './catalog-repositories.js';
import { credentialRepository } from './credential-repository.js';
import { deliveryQueue } from './delivery-queue.js';
import { deliveryRepository } from './delivery-repository.js';
import { endpointRepository } from './endpoint-repository.js';
import { eventRepository } from './event-repository.js';
import { operatorRepository } from './operator-repository.js';
import { healthRepository } from './health-repository.js';
import { migrateToLatest, type SqlDialect } from './migrator.js';
import { sealedValueRepository } from './sealed-values.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/**
 * The repositories both databases share, assembled over one Kysely instance. A concrete
 * store passes in its dialect (transactions, claim locking, wake-ups) and closes its own connections.
 */
export function createSqlStore(
  db: Kysely<Database>,
  kind: SqlDialect,
  dialect: StoreDialect,
  close: () => Promise<void>,
): Store {
  const wake = () => dialect.wake();
  const endpointsChanged = (tenantId: string | null) => dialect.endpointsChanged(tenantId);
  return {
    kind,
    migrate: () => migrateToLatest(db, kind),
    close,
    meta: metaRepository(db),
    eventTypes: eventTypeRepository(db, () => endpointsChanged(null)),
    tenants: tenantRepository(db, endpointsChanged),
    credentials: credentialRepository(db, dialect),
    endpoints: endpointRepository(db, kind, dialect),
    operator: operatorRepository(db),
    events: eventRepository(db, kind, dialect),
    deliveries: deliveryRepository(db, wake),
    queue: deliveryQueue(db, kind, dialect),
    audit: auditRepository(db),
    health: healthRepository(db),
    onEndpointsChanged: (listener) => dialect.onEndpointsChanged(listener),
    catchUpOnChanges: () => dialect.catchUp(),
    sealedValues: sealedValueRepository(db, kind),
  };
}
