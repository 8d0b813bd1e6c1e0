/**
 * The engine's sweep beside many idle endpoints: one endpoint with waiting deliveries and
 * `--endpoints` more with nothing waiting, then the p50 time of the store's schedule repair
 * (the sweep's dearer half) and of freeing expired leases. What a sweep costs must not grow
 * with the endpoints that have nothing to do:
 *   npm run build && node dist/bench/sweep-cost.js [--store sqlite|postgres] [--endpoints 20000]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { defaultTenantSettings } from '../src/domain/tenant.js';
import { IdGenerator } from '../src/domain/ids.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    endpoints: { type: 'string', default: '20000' },
    postgres: { type: 'string', default: process.env.HERALD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const IDLE_ENDPOINTS = Number(values.endpoints);
const WAITING_DELIVERIES = 50;
const RUNS = 15;
const ids = new IdGenerator();

/** The store, and `copyEndpoint(n)`: n copies of its one endpoint, written straight to its database. */
async function openStore(): Promise<{ store: Store; copyEndpoint: (n: number) => Promise<void>; cleanup: () => Promise<void> }> {
  const copies = (columns: string[]) => columns.map((column) => (column === 'id' ? `'ep_idle_' || n` : column)).join(', ');
  if (values.store === 'postgres') {
    const schema = `herald_sweep_${randomBytes(6).toString('hex')}`;
    const store = await openPostgresStore(values.postgres!, { schema });
    const admin = new pg.Client({ connectionString: values.postgres! });
    await admin.connect();
    return {
      store,
      async copyEndpoint(n) {
        const { rows } = await admin.query<{ name: string }>(`select column_name as name from information_schema.columns where table_schema = $1 and table_name = 'endpoints' order by ordinal_position`, [schema]);
        const columns = rows.map((row) => row.name);
        await admin.query(`insert into "${schema}".endpoints (${columns.join(', ')}) select ${copies(columns)} from "${schema}".endpoints cross join generate_series(1, $1) as n`, [n]);
        await admin.query(`analyze "${schema}".endpoints`);
      },
      async cleanup() {
        await admin.query(`drop schema "${schema}" cascade`);
        await admin.end();
      },
    };
  }
  const file = join(mkdtempSync(join(tmpdir(), 'herald-sweep-cost-')), 'herald.db');
  const store = openSqliteStore(file);
  return {
    store,
    async copyEndpoint(n) {
      const db = new BetterSqlite3(file);
      try {
        const columns = (db.prepare(`select name from pragma_table_info('endpoints')`).all() as Array<{ name: string }>).map((row) => row.name);
        db.prepare(`with recursive g(n) as (select 1 union all select n + 1 from g where n < ?) insert into endpoints (${columns.join(', ')}) select ${copies(columns)} from endpoints cross join g`).run(n);
        db.exec('analyze');
      } finally {
        db.close();
      }
    },
    cleanup: async () => rmSync(dirname(file), { recursive: true, force: true }),
  };
}

async function p50Ms(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const { store, copyEndpoint, cleanup } = await openStore();
try {
  await store.migrate();
  const tenantId = ids.next('ten');
  await store.tenants.create({ id: tenantId, name: 'bench', settings: defaultTenantSettings(), createdAt: new Date() });
  const endpoint = await store.endpoints.create(
    { id: ids.next('ep'), tenantId, url: 'http://127.0.0.1:9/hook', description: '', eventTypes: ['*'], filter: null, status: 'active', headers: {}, rateLimitPerSecond: null, signature: null, createdAt: new Date() },
    { secret: 'sealed-secret', previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
  );
  await store.events.publish({
    tenantId,
    items: Array.from({ length: WAITING_DELIVERIES }, () => ({
      event: { id: ids.next('evt'), tenantId, type: 'order.created', createdAt: new Date(), data: {}, idempotencyKey: null },
      deliveries: [{ id: ids.next('dlv'), endpointId: endpoint.id }],
    })),
    maxAttempts: 10,
  });
  // The copies have no deliveries: idle endpoints, active and scheduled for nothing.
  if (IDLE_ENDPOINTS > 0) await copyEndpoint(IDLE_ENDPOINTS);
  const repair = await p50Ms(() => store.queue.repairSchedules());
  const release = await p50Ms(() => store.queue.releaseExpiredLeases(new Date()));
  process.stdout.write(
    `${values.store}, 1 endpoint with ${WAITING_DELIVERIES} waiting deliveries beside ${IDLE_ENDPOINTS} idle ones, p50 of ${RUNS}: ` +
      `schedule repair ${repair.toFixed(2)} ms, freeing expired leases ${release.toFixed(2)} ms\n`,
  );
} finally {
  await store.close();
  await cleanup();
}
