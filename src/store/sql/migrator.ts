import { Migrator, type Kysely, type MigrationProvider, type Migration as KyselyMigration } from 'kysely';
import { initial } from './migrations/0001-initial.js';
import { rateQuotaRetention } from './migrations/0002-rate-quota-retention.js';
import { hotPath } from './migrations/0003-hot-path.js';
import { traceContext } from './migrations/0004-trace-context.js';
import { credentialLifecycle } from './migrations/0005-credential-lifecycle.js';
import { ordering } from './migrations/0006-ordering.js';
import { operator } from './migrations/0007-operator.js';
import { healthIndexes } from './migrations/0008-health-indexes.js';
import { publishRefusal } from './migrations/0009-publish-refusal.js';
import { capacityHold } from './migrations/0010-capacity-hold.js';
import { fewerLeaseIndexes } from './migrations/0011-fewer-lease-indexes.js';
import { unreadEventIndex } from './migrations/0012-unread-event-index.js';
import { statusFreeEndpointIndex } from './migrations/0013-status-free-endpoint-index.js';
import { endpointInFlight } from './migrations/0014-endpoint-in-flight.js';
import { pendingFanOuts } from './migrations/0015-pending-fan-outs.js';

export type SqlDialect = 'sqlite' | 'postgres';

export interface Migration {
  name: string;
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
}

/** Versioned migrations, applied in name order; Kysely records them and takes the lock. */
const MIGRATIONS: Migration[] = [initial, rateQuotaRetention, hotPath, traceContext, credentialLifecycle, ordering, operator, healthIndexes, publishRefusal, capacityHold, fewerLeaseIndexes, unreadEventIndex, statusFreeEndpointIndex, endpointInFlight, pendingFanOuts];

/**
 * `migrationTableSchema` names where Kysely keeps its own two tables. PostgreSQL needs it:
 * Kysely looks for them in every schema of the database, so a second Herald schema (or a
 * test's) would find another schema's tables, skip creating its own and then fail.
 */
export async function migrateToLatest(db: Kysely<any>, dialect: SqlDialect, migrationTableSchema?: string): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const entries: Record<string, KyselyMigration> = {};
      for (const migration of MIGRATIONS) entries[migration.name] = { up: (trx) => migration.up(trx, dialect) };
      return entries;
    },
  };
  const { error } = await new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
