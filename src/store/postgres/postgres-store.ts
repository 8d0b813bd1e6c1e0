import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../store.js';
import type { StoreDialect } from '../sql/store-dialect.js';
import { migrateToLatest } from '../sql/migrator.js';
import type { Database } from '../sql/schema.js';
import { ENDPOINTS_PER_CLAIM } from '../sql/claim.js';
import { isFixedStatement } from '../sql/fixed-statement.js';
import { createSqlStore } from '../sql/sql-store.js';
import { keepPlannerStatisticsCurrent } from './planner-statistics.js';
import { withPreparedStatements } from './prepared-pool.js';
import { ENDPOINTS_CHANNEL, listenForWakeups, WAKE_CHANNEL, type WakeListener } from './wake-listener.js';

export interface PostgresStoreOptions {
  /** Keeps every table in this schema (created if missing), e.g. to isolate tests. */
  schema?: string;
  /** How often to look for hot tables that outgrew their statistics (planner-statistics.ts). */
  plannerCheckMs?: number;
}

// The name goes into a connection option and DDL, so only plain identifiers are accepted.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

// Times are int8 milliseconds, which pg hands back as strings lest they lose precision; ours
// stay far below 2^53. Set on this pool only, so nothing else in the process is affected.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * PostgreSQL, for many API and worker processes on many machines. Workers claim with
 * `FOR NO KEY UPDATE SKIP LOCKED` on the endpoint rows, so no two lease the same endpoint's
 * deliveries at once, and wake one another with LISTEN/NOTIFY.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`Invalid PostgreSQL schema name: ${schema}`);

  // Pipeline mode: see withPreparedStatements.
  const poolConfig = { connectionString: url, types, pipeline: true, ...(schema ? { options: `-c search_path=${schema}` } : {}) };
  const pool = new pg.Pool(poolConfig as pg.PoolConfig);
  // An idle connection died: the pool drops it and the next query opens another. Without a
  // handler the 'error' event would crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool, isFixedStatement) }) });

  // NOTIFY reaches this store's own listener too; the payload lets it skip that echo, since
  // wake() has already told the local listeners.
  const storeId = randomUUID();
  const wakeups = new EventEmitter();
  wakeups.setMaxListeners(0);
  let listener: WakeListener;
  try {
    if (schema) await createSchema(db, schema);
    listener = await listenForWakeups({
      url,
      applicationName: `herald-wake${schema ? `:${schema}` : ''}`,
      onNotify: (payload) => payload !== storeId && wakeups.emit('wake'),
      onEndpointsChanged: (payload) => {
        const split = payload.indexOf(':');
        if (split > 0 && payload.slice(0, split) !== storeId) wakeups.emit('endpoints', payload.slice(split + 1) || null);
      },
      // Notifications sent while the connection was down are lost: wake everyone, forget every cache.
      onReconnect: () => {
        wakeups.emit('wake');
        wakeups.emit('endpoints', null);
      },
    });
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const dialect: StoreDialect = {
    retry: retryOnDeadlock,
    transaction: (work) => retryOnDeadlock(() => db.transaction().execute(work)),
    // A claim wanting 3 deliveries locks about 3 endpoints, not 64: the locks are held till
    // commit, and every endpoint one worker locks but leaves unclaimed is one the others skip.
    endpointsPerClaim: (limit) => Math.max(1, Math.min(limit, ENDPOINTS_PER_CLAIM)),
    async wake() {
      wakeups.emit('wake');
      // Callers wake after their commit, so a failed NOTIFY must not turn a stored change into
      // an error; other processes still find the work at their due timer or safety sweep.
      await sql`select pg_notify(${WAKE_CHANNEL}, ${storeId})`.execute(db).catch(() => {});
    },
    wakeNotice: { channel: WAKE_CHANNEL, payload: storeId },
    wakeHere() {
      wakeups.emit('wake');
    },
    onWake(wakeListener) {
      wakeups.on('wake', wakeListener);
      return () => wakeups.off('wake', wakeListener);
    },
    async endpointsChanged(tenantId) {
      wakeups.emit('endpoints', tenantId);
      // Sent after the change committed. Should it fail, other processes keep a stale matcher
      // list until their listener reconnects (which forgets everything): the change itself stands.
      await sql`select pg_notify(${ENDPOINTS_CHANNEL}, ${`${storeId}:${tenantId ?? ''}`})`.execute(db).catch(() => {});
    },
    onEndpointsChanged(listener) {
      wakeups.on('endpoints', listener);
      return () => wakeups.off('endpoints', listener);
    },
    catchUp: () => listener.catchUp(),
  };

  const stopPlannerChecks = keepPlannerStatisticsCurrent(db, options.plannerCheckMs);
  const store = createSqlStore(db, 'postgres', dialect, async () => {
    stopPlannerChecks();
    wakeups.removeAllListeners();
    await listener.close();
    await db.destroy();
  });
  return { ...store, migrate: async () => migrate(db, schema ?? (await currentSchema(db))) };
}

/**
 * Before taking its lock, Kysely's migrator lists every table of every schema in the database,
 * which fails when some other schema or table is dropped meanwhile (parallel test runs sharing
 * a database do that). Migrating is idempotent, so on such an error it is tried again.
 */
const VANISHED = new Set(['3F000', '42P01', '42703']); // no such schema, table, column

async function migrate(db: Kysely<Database>, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Kysely's own tables go in the store's schema, named explicitly (see migrator.ts).
      return await migrateToLatest(db, 'postgres', schema);
    } catch (error) {
      if (attempt === 5 || !VANISHED.has(String((error as { code?: unknown }).code))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Two stores opening at once could both fail `create schema if not exists`; a lock orders them. */
async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`herald-schema:${schema}`}))`.execute(trx);
    await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
  });
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(db);
  const name = rows[0]?.name;
  if (!name) throw new Error('PostgreSQL search_path names no existing schema: create one or pass a schema');
  return name;
}

/**
 * PostgreSQL breaks a lock cycle by failing one transaction (40P01), rolled back whole. Claims,
 * records and publishes touch only the database inside their transaction, so running one again
 * is safe: a rare cycle between a record and a claim on the same endpoints costs a retry, not
 * leases held until they expire.
 */
async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || (error as { code?: unknown }).code !== '40P01') throw error;
    }
  }
}
