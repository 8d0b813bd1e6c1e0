/**
 * The operator health query (store.health.tenants) on a large store, both databases:
 *   npm run build && node dist/bench/health-query.js [--postgres postgres://…]
 * Seeds 10,000 tenants with two endpoints each, 20 deliveries (one attempt each, over the last
 * 48 h; one in 1,000 a test send) per tenant, and 20,000 per tenant for the first 25 tenants
 * (the first page): ~700,000 deliveries and attempts. Prints how long a page takes: the first
 * (busy) page, a later page, a search and the attention filter; and the two stats queries.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const TENANTS = 10_000;
const LIGHT = 20;
const HEAVY = 20_000;
const HEAVY_TENANTS = 25;
const NOW = Date.now();

/** One INSERT … SELECT per table over a numbers table, in plain SQL both databases read. */
function seedStatements(numbers: string): string[] {
  const padded = (expr: string) => `'t' || substr('0000' || (${expr}), length('0000' || (${expr})) - 4)`;
  const tenant = padded(`i % ${TENANTS}`);
  // Deliveries 0 .. light-1 spread over every tenant; then the heavy ones over the first 25.
  const light = TENANTS * LIGHT;
  const deliveryTenant = `case when i < ${light} then i % ${TENANTS} else (i - ${light}) % ${HEAVY_TENANTS} end`;
  const status = `case i % 20 when 0 then 'dead' when 1 then 'dead' when 2 then 'failed' when 3 then 'pending' else 'succeeded' end`;
  return [
    `insert into tenants (id, name, settings, created_at) select ${tenant}, 'Tenant ' || i, '{}', ${NOW} from ${numbers} where i < ${TENANTS}`,
    `insert into endpoints (id, tenant_id, url, description, event_types, status, consecutive_failures, headers, created_at, updated_at)
       select 'ep_' || i, ${tenant}, 'https://hooks.example.com/' || i, '', '["*"]', case when i % 7 = 0 then 'disabled' else 'active' end,
              case when i % 5 = 0 then 3 else 0 end, '{}', ${NOW}, ${NOW} from ${numbers} where i < ${TENANTS * 2}`,
    `insert into events (id, tenant_id, type, data, is_test, created_at) select 'evt_' || i, ${tenant}, 'a.b', '{}', 0, ${NOW} from ${numbers} where i < ${TENANTS}`,
    `insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts, is_test, created_at)
       select 'dlv_' || i, ${padded(deliveryTenant)}, 'evt_' || (${deliveryTenant}), 'ep_' || (${deliveryTenant} + ${TENANTS} * (i % 2)), 'a.b', ${status}, 1, 7,
              case when i % 1000 = 7 then 1 else 0 end, ${NOW} - (i % 172800) * 1000
       from ${numbers} where i < ${light + HEAVY * HEAVY_TENANTS}`,
    `insert into attempts (delivery_id, tenant_id, number, started_at, duration_ms, status_code, request_headers)
       select id, tenant_id, 1, created_at, 100 + length(id), case when status = 'succeeded' then 200 else 500 end, '{}' from deliveries`,
  ];
}

async function time(label: string, store: Store, run: () => Promise<unknown>): Promise<void> {
  await run(); // warm
  const started = performance.now();
  const rounds = 5;
  for (let i = 0; i < rounds; i++) await run();
  console.log(`${store.kind.padEnd(8)} ${label.padEnd(36)} ${((performance.now() - started) / rounds).toFixed(1)} ms`);
}

async function measure(store: Store): Promise<void> {
  const window = { since: new Date(NOW - 86_400_000), until: new Date(NOW + 1000) };
  await time('first page (25 heavy tenants)', store, () => store.health.tenants(window, { limit: 25 }));
  await time('a later page', store, () => store.health.tenants(window, { limit: 25, cursor: 't05000' }));
  await time('search "hooks.example.com/1234"', store, () => store.health.tenants({ ...window, search: 'hooks.example.com/1234' }, { limit: 25 }));
  await time('needing attention', store, () => store.health.tenants({ ...window, attentionOnly: true }, { limit: 25 }));
  await time('per-tenant stats, heavy tenant, 24 h', store, () => store.deliveries.stats('t00000', window.since, window.until, 3_600_000));
  await time('outcome chart, all tenants, 24 h', store, () => store.deliveries.outcomeStats(window.since, window.until, 3_600_000));
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-health-'));
  const file = join(dir, 'herald.db');
  try {
    const store = await openSqliteStore(file);
    await store.migrate();
    const db = new Database(file);
    const numbers = `(with recursive n(i) as (select 0 union all select i + 1 from n where i < ${TENANTS * LIGHT + HEAVY * HEAVY_TENANTS}) select i from n) as numbers`;
    db.transaction(() => seedStatements(numbers).forEach((statement) => db.exec(statement)))();
    db.exec('analyze');
    db.close();
    await measure(store);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(url: string): Promise<void> {
  const schema = `herald_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const store = await openPostgresStore(url, { schema });
    await store.migrate();
    await admin.query(`set search_path to "${schema}"`);
    const numbers = `(select generate_series(0, ${TENANTS * LIGHT + HEAVY * HEAVY_TENANTS}) as i) n`;
    for (const statement of seedStatements(numbers)) await admin.query(statement);
    // As autovacuum would have by then: the visibility map lets index-only scans skip the table.
    await admin.query('vacuum analyze');
    await measure(store);
    await store.close();
  } finally {
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
}

const pgFlag = process.argv.indexOf('--postgres');
await sqlite();
if (pgFlag > 0) await postgres(process.argv[pgFlag + 1] ?? 'postgres://postgres@127.0.0.1:5432/test');
