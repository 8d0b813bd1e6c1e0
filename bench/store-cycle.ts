/**
 * The store's share of a delivery, alone: publish, then claim and record in the engine's
 * cycle (records of one batch, then recordAndClaim for the slots they free), with no HTTP and
 * no other process. It prints the least CPU µs per delivery over its rounds (and the least wall
 * time, which on PostgreSQL is mostly round trips), so a change to the SQL of the hot path can
 * be compared without the noise of the full bench (whose three processes share two cores):
 *   npm run build && node dist/bench/store-cycle.js [--store sqlite|postgres] [--events N] [--endpoints N] [--rounds N]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultTenantSettings } from '../src/domain/tenant.js';
import { IdGenerator } from '../src/domain/ids.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { AttemptRecord, ClaimRequest, DeliveryJob, Store } from '../src/store/store.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    events: { type: 'string', default: '5000' },
    endpoints: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    postgres: { type: 'string', default: process.env.HERALD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const EVENTS = Number(values.events);
const ENDPOINTS = Number(values.endpoints);
/** The engine's defaults: 128 attempts in flight, 16 to one endpoint. */
const CONCURRENCY = 128;
const PER_ENDPOINT = 16;
const ids = new IdGenerator();

async function openStore(): Promise<{ store: Store; cleanup: () => void | Promise<void> }> {
  if (values.store === 'postgres') {
    // A schema of its own, dropped after: another build's migrations never meet this one's.
    const schema = `herald_cycle_${randomBytes(6).toString('hex')}`;
    const store = await openPostgresStore(values.postgres!, { schema });
    await store.migrate();
    return { store, cleanup: () => dropSchema(schema) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-cycle-'));
  const store = openSqliteStore(join(dir, 'herald.db'));
  await store.migrate();
  return { store, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: values.postgres! });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}

async function seed(store: Store): Promise<{ tenantId: string; endpointIds: string[] }> {
  const tenantId = ids.next('ten');
  await store.tenants.create({ id: tenantId, name: 'bench', settings: defaultTenantSettings(), createdAt: new Date() });
  const endpointIds: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const endpoint = await store.endpoints.create(
      { id: ids.next('ep'), tenantId, url: `http://127.0.0.1:9/hook-${i}`, description: '', eventTypes: ['*'], filter: null, status: 'active', headers: {}, rateLimitPerSecond: null, signature: null, createdAt: new Date() },
      { secret: 'sealed-secret', previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
    );
    endpointIds.push(endpoint.id);
  }
  return { tenantId, endpointIds };
}

/** 100 events a publish, as the batch scenario sends them. */
async function publish(store: Store, tenantId: string, endpointIds: string[]): Promise<void> {
  for (let done = 0; done < EVENTS; done += 100) {
    const items = Array.from({ length: Math.min(100, EVENTS - done) }, () => ({
      event: { id: ids.next('evt'), tenantId, type: 'order.created', createdAt: new Date(), data: { order: 'x'.repeat(300) }, idempotencyKey: null, traceContext: null },
      deliveries: endpointIds.map((endpointId) => ({ id: ids.next('dlv'), endpointId })),
    }));
    await store.events.publish({ tenantId, items, maxAttempts: 10 });
  }
}

const succeeded = (job: DeliveryJob): AttemptRecord => {
  const now = new Date();
  return {
    deliveryId: job.delivery.id,
    attempt: { number: job.delivery.attemptCount + 1, startedAt: now, durationMs: 1, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: { 'content-type': 'application/json', 'webhook-id': job.event.id } },
    verdict: { kind: 'succeeded' },
    endpointHealth: 'success',
    autoDisableAfterFailures: job.settings.autoDisableAfterFailures,
    now,
  };
};

/**
 * The engine's steady state: half of an endpoint's slots answer, are recorded with a claim for
 * what they free, then the other half (records come in about two halves under npm run bench).
 */
async function drain(store: Store): Promise<number> {
  const request = (limit: number): ClaimRequest => ({ now: new Date(), limit, maxInFlightPerEndpoint: PER_ENDPOINT, leaseGraceMs: 60_000, owner: 'wrk_bench' });
  let inFlight = await store.queue.claim(request(CONCURRENCY));
  let delivered = 0;
  let cycles = 0;
  while (inFlight.length > 0) {
    const half = Math.max(1, Math.ceil(inFlight.length / 2));
    const ended = inFlight.slice(0, half);
    const { jobs } = await store.queue.recordAndClaim(ended.map(succeeded), request(CONCURRENCY - (inFlight.length - half)));
    inFlight = inFlight.slice(half).concat(jobs);
    delivered += ended.length;
    cycles += 1;
  }
  if (delivered !== EVENTS * ENDPOINTS) throw new Error(`delivered ${delivered}, expected ${EVENTS * ENDPOINTS}`);
  return cycles;
}

async function round(): Promise<{ publishMicros: number; cycleMicros: number; cycleWallMicros: number; cycles: number }> {
  const { store, cleanup } = await openStore();
  try {
    const { tenantId, endpointIds } = await seed(store);
    const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
    const t0 = cpu();
    await publish(store, tenantId, endpointIds);
    const t1 = cpu();
    const wallStart = performance.now();
    const cycles = await drain(store);
    const wallMicros = (performance.now() - wallStart) * 1000;
    const t2 = cpu();
    const deliveries = EVENTS * ENDPOINTS;
    await store.tenants.delete(tenantId);
    return { publishMicros: (t1 - t0) / deliveries, cycleMicros: (t2 - t1) / deliveries, cycleWallMicros: wallMicros / deliveries, cycles };
  } finally {
    await store.close();
    await cleanup();
  }
}

await round(); // warm-up: the JIT's first pass over the hot path is not the steady state
const results = [];
for (let i = 0; i < Number(values.rounds); i++) results.push(await round());
// The least of the rounds: CPU time only grows with interference (other processes, GC timing).
const least = (xs: number[]) => Math.min(...xs);
const fmt = (n: number) => n.toFixed(0).padStart(5);
process.stdout.write(
  `${values.store}, ${EVENTS} events × ${ENDPOINTS} endpoint(s), least of ${results.length} rounds: ` +
    `publish ${fmt(least(results.map((r) => r.publishMicros)))} µs, claim+record ${fmt(least(results.map((r) => r.cycleMicros)))} µs CPU ` +
    `(${fmt(least(results.map((r) => r.cycleWallMicros)))} µs of wall time: PostgreSQL's round trips) per delivery ` +
    `(${((EVENTS * ENDPOINTS) / results[0]!.cycles).toFixed(1)} deliveries a cycle; rounds: ${results.map((r) => `${r.publishMicros.toFixed(0)}+${r.cycleMicros.toFixed(0)}`).join(', ')})\n`,
);
