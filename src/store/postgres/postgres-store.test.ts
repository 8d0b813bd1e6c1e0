import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTenantSettings } from '../../domain/tenant.js';
import { runStoreConformance } from '../conformance.js';
import { runOperationalConformance } from '../operational-conformance.js';
import { runHealthConformance } from '../health-conformance.js';
import type { AttemptRecord, DeliveryJob, Store } from '../store.js';
import { eventually } from '../../../test/support/herald.js';
import { openPostgresStore } from './postgres-store.js';
import { ACTIVE_HOLDER_MS } from '../sql/claim.js';

// CI installs and starts PostgreSQL (.ci/run), so an unreachable server fails these tests
// rather than skipping them: a silent skip would hide the multi-process store untested.
const URL = process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// Every store gets its own schema; a separate client drops them, as the stores are closed by then.
const admin = new pg.Client({ connectionString: URL });
let adminConnected = false;
const schemas: string[] = [];
const freshSchema = () => {
  const schema = `herald_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

beforeAll(async () => {
  try {
    await admin.connect();
    adminConnected = true;
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${URL} (${(error as Error).message}). These tests need it: run .ci/run, ` +
        'or start PostgreSQL with trust auth and a "test" database, or point HERALD_TEST_POSTGRES_URL at one.',
    );
  }
});

afterAll(async () => {
  if (!adminConnected) return;
  // Ten schemas a statement: dropping every one at once took a lock per table and index of each,
  // past the server's lock table (max_locks_per_transaction × connections: "out of shared memory").
  for (let i = 0; i < schemas.length; i += 10) {
    await admin.query(`drop schema if exists ${schemas.slice(i, i + 10).map((s) => `"${s}"`).join(', ')} cascade`);
  }
  await admin.end();
});

const schemaOf = new WeakMap<Store, string>();
runStoreConformance(
  'PostgreSQL',
  async () => {
    const schema = freshSchema();
    const store = await openPostgresStore(URL, { schema });
    schemaOf.set(store, schema);
    return store;
  },
  {
    async loseSchedules(store, endpointIds) {
      await admin.query(`update "${schemaOf.get(store)!}".endpoints set next_due_at = null, held = 0 where id = any($1)`, [endpointIds]);
    },
  },
);
runOperationalConformance('PostgreSQL', () => openPostgresStore(URL, { schema: freshSchema() }));
runHealthConformance('PostgreSQL', () => openPostgresStore(URL, { schema: freshSchema() }));

const within = async <T>(promise: Promise<T>, ms: number, what: string) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};
const nextWake = (store: Store) =>
  new Promise<void>((resolve) => {
    const stop = store.queue.onWake(() => (stop(), resolve()));
  });

/** An active endpoint of tenant acme taking every event type, with no secrets. */
const addEndpoint = (store: Store, id: string, createdAt: Date) =>
  store.endpoints.create(
    { id, tenantId: 'acme', url: 'https://example.com/hook', description: '', eventTypes: ['*'], filter: null, status: 'active', headers: {}, rateLimitPerSecond: null, signature: null, createdAt },
    { secret: null, previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
  );

describe('PostgreSQL stores sharing one database', () => {
  let a: Store;
  let b: Store;
  let schema: string;
  const now = new Date('2026-05-28T12:00:00.000Z');

  beforeEach(async () => {
    schema = freshSchema();
    [a, b] = await Promise.all([openPostgresStore(URL, { schema }), openPostgresStore(URL, { schema })]);
    // Two processes starting together both migrate: Kysely's advisory lock serialises them.
    await Promise.all([a.migrate(), b.migrate()]);
    await a.tenants.create({ id: 'acme', name: 'Acme', settings: defaultTenantSettings(), createdAt: now });
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('never hands one delivery to two concurrent claimers', async () => {
    for (let i = 0; i < 10; i++) {
      await addEndpoint(a, `ep_${i}`, now);
    }
    let n = 0;
    for (let i = 0; i < 20; i++) {
      const endpoints = await a.endpoints.listMatchers('acme');
      await a.events.publish({
        tenantId: 'acme',
        items: [
          {
            event: { id: `evt_${i}`, tenantId: 'acme', type: 'bulk', createdAt: now, data: {}, idempotencyKey: null },
            deliveries: endpoints.map((endpoint) => ({ id: `dlv_${String(n++).padStart(4, '0')}`, endpointId: endpoint.id })),
          },
        ],
        maxAttempts: 3,
      });
    }

    let claimedTotal = 0;
    const claimLoop = async (store: Store) => {
      const ids: string[] = [];
      // A loop finding every endpoint locked by the other gets nothing and simply tries again;
      // the round cap only stops a bug from spinning forever.
      for (let round = 0; claimedTotal < 200 && round < 5000; round++) {
        const jobs = await store.queue.claim({ now, limit: 5, maxInFlightPerEndpoint: 1000, leaseGraceMs: 60_000, owner: 'wrk_test' });
        ids.push(...jobs.map((job) => job.delivery.id));
        claimedTotal += jobs.length;
      }
      return ids;
    };
    const [byA, byB] = await Promise.all([claimLoop(a), claimLoop(b)]);
    const all = [...byA, ...byB];
    expect(all.length - new Set(all).size).toBe(0); // duplicates
    expect(all).toHaveLength(200);
    // Both really claimed (about half each), so the two did run against each other.
    expect(Math.min(byA.length, byB.length)).toBeGreaterThan(0);
  });

  // A publish committing while a claim or record reschedules the same endpoint must not leave
  // its delivery for the 30 s safety sweep: the publish marks the schedule after its commit,
  // behind a barrier that waits for whoever holds the endpoint row (endpoint-schedule.ts).
  it('never leaves a published delivery waiting while claims race publishes, over 1,000 rounds', async () => {
    await addEndpoint(a, 'ep_race', now);
    const ROUNDS = 1000;
    const publishedAt = new Map<string, number>();
    const claimedAt = new Map<string, number>();
    let publishing = true;
    const claimer = async (store: Store, owner: string) => {
      while (publishing || claimedAt.size < publishedAt.size) {
        const at = new Date();
        const jobs = await store.queue.claim({ now: at, limit: 4, maxInFlightPerEndpoint: 16, leaseGraceMs: 60_000, owner });
        for (const job of jobs) claimedAt.set(job.delivery.id, Date.now());
        if (jobs.length > 0) {
          await store.queue.record(
            jobs.map((job) => ({
              deliveryId: job.delivery.id,
              attempt: { number: 1, startedAt: at, durationMs: 1, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} },
              verdict: { kind: 'succeeded' as const },
              endpointHealth: 'success' as const,
              autoDisableAfterFailures: 0,
              now: new Date(),
            })),
          );
        } else await new Promise((resolve) => setTimeout(resolve, 1));
        // Stop once a delivery has waited longer than the bound: the assertion below names it.
        if (!publishing && [...publishedAt].some(([id, t]) => !claimedAt.has(id) && Date.now() - t > 5_000)) return;
      }
    };
    const claimers = [claimer(b, 'wrk_b1'), claimer(b, 'wrk_b2'), claimer(a, 'wrk_a1')];
    for (let round = 0; round < ROUNDS; round++) {
      const id = `dlv_race_${round}`;
      // Created "now", so it is due at once; the claimers run with the wall clock.
      const at = new Date();
      await a.events.publish({
        tenantId: 'acme',
        items: [{ event: { id: `evt_race_${round}`, tenantId: 'acme', type: 'race', createdAt: at, data: {}, idempotencyKey: null }, deliveries: [{ id, endpointId: 'ep_race' }] }],
        maxAttempts: 3,
      });
      publishedAt.set(id, Date.now());
      if (round % 3 === 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    }
    publishing = false;
    await Promise.all(claimers);
    // A wide correctness bound: the safety sweep would take up to 30 s.
    const late = [...publishedAt].filter(([id, t]) => (claimedAt.get(id) ?? Infinity) - t > 5_000).map(([id]) => id);
    expect(late).toEqual([]);
    expect(claimedAt.size).toBe(ROUNDS);
  }, 120_000);

  it('never leaves a publish unscheduled while a claim of its already due endpoint runs, with no attempt ending', async () => {
    // The attempts never end (nothing is recorded), as when a receiver hangs: no record comes
    // to reschedule the endpoint, and no later publish either (each round ends with the
    // endpoint idle), so a delivery the claims miss stays unscheduled. The second publish of
    // each round finds the endpoint already due (the first made it so) while a claim holds it.
    await addEndpoint(a, 'ep_hang', now);
    const claimed = new Set<string>();
    let running = true;
    const claimer = async (store: Store, owner: string) => {
      while (running) {
        const jobs = await store.queue.claim({ now: new Date(), limit: 4, maxInFlightPerEndpoint: 100_000, leaseGraceMs: 600_000, owner });
        for (const job of jobs) claimed.add(job.delivery.id);
        if (jobs.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    const claimers = [claimer(b, 'wrk_hb1'), claimer(a, 'wrk_ha1')];
    const stranded: string[] = [];
    try {
      for (let round = 0; round < 150 && stranded.length === 0; round++) {
        const ids = [`dlv_hang_${round}_1`, `dlv_hang_${round}_2`];
        for (const id of ids) {
          await a.events.publish({
            tenantId: 'acme',
            items: [{ event: { id: id.replace('dlv', 'evt'), tenantId: 'acme', type: 'race', createdAt: new Date(), data: {}, idempotencyKey: null }, deliveries: [{ id, endpointId: 'ep_hang' }] }],
            maxAttempts: 3,
          });
        }
        // A wide bound: the safety sweep, the only other way out, comes after 30 s.
        for (const deadline = Date.now() + 3_000; ids.some((id) => !claimed.has(id)) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 2));
        stranded.push(...ids.filter((id) => !claimed.has(id)));
      }
    } finally {
      running = false;
      await Promise.all(claimers);
    }
    expect(stranded).toEqual([]);
  }, 120_000);

  it('tells a claimer of the due endpoints it passed over while something else held their rows', async () => {
    await addEndpoint(a, 'ep_locked', now);
    await a.events.publish({
      tenantId: 'acme',
      items: [{ event: { id: 'evt_locked', tenantId: 'acme', type: 'race', createdAt: now, data: {}, idempotencyKey: null }, deliveries: [{ id: 'dlv_locked', endpointId: 'ep_locked' }] }],
      maxAttempts: 3,
    });
    const request = (passedOver: string[][]) => ({ now, limit: 10, maxInFlightPerEndpoint: 16, leaseGraceMs: 60_000, owner: 'wrk_a', onPassedOver: (ids: string[]) => passedOver.push(ids) });
    // A statement that only waits for the row (a schedule mark) holds it this way too.
    const holder = new pg.Client({ connectionString: URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select id from "${schema}".endpoints where id = 'ep_locked' for update`);
      const passedOver: string[][] = [];
      expect(await a.queue.claim(request(passedOver))).toHaveLength(0);
      expect(passedOver).toEqual([['ep_locked']]);
      await holder.query('rollback');
      const after: string[][] = [];
      expect((await a.queue.claim(request(after))).map((job) => job.delivery.id)).toEqual(['dlv_locked']);
      expect(after).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it("repairs schedules without waiting for a row someone holds: that endpoint waits for the next sweep", async () => {
    for (const id of ['ep_held', 'ep_free']) await addEndpoint(a, id, now);
    await a.events.publish({
      tenantId: 'acme',
      items: [{ event: { id: 'evt_repair', tenantId: 'acme', type: 'repair', createdAt: now, data: {}, idempotencyKey: null }, deliveries: ['ep_held', 'ep_free'].map((endpointId) => ({ id: `dlv_${endpointId}`, endpointId })) }],
      maxAttempts: 3,
    });
    await admin.query(`update "${schema}".endpoints set next_due_at = null, held = 0`);
    const holder = new pg.Client({ connectionString: URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select id from "${schema}".endpoints where id = 'ep_held' for update`);
      expect(await within(a.queue.repairSchedules(), 5_000, 'a repair beside a held row')).toBe(1);
      await holder.query('rollback');
      expect(await a.queue.repairSchedules()).toBe(1);
      expect(await a.queue.repairSchedules()).toBe(0);
    } finally {
      await holder.end();
    }
  });

  it('leaves a shared endpoint to the worker holding most of its attempts while that worker is working on it', async () => {
    await addEndpoint(a, 'ep_shared', now);
    await a.events.publish({
      tenantId: 'acme',
      items: Array.from({ length: 40 }, (_, i) => ({
        event: { id: `evt_s${i}`, tenantId: 'acme', type: 'bulk', createdAt: now, data: {}, idempotencyKey: null },
        deliveries: [{ id: `dlv_s${String(i).padStart(2, '0')}`, endpointId: 'ep_shared' }],
      })),
      maxAttempts: 3,
    });
    const request = (owner: string, limit: number, at = now) => ({ now: at, limit, maxInFlightPerEndpoint: 16, leaseGraceMs: 60_000, owner });
    const succeeded = (job: DeliveryJob): AttemptRecord => ({
      deliveryId: job.delivery.id,
      attempt: { number: 1, startedAt: now, durationMs: 1, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} },
      verdict: { kind: 'succeeded' },
      endpointHealth: 'success',
      autoDisableAfterFailures: 0,
      now,
    });
    // Past ACTIVE_HOLDER_MS after A's leases: A may have died, so B takes free slots.
    const later = new Date(now.getTime() + ACTIVE_HOLDER_MS + 1000);
    const heldByA = await a.queue.claim(request('wrk_a', 10));
    expect(await b.queue.claim(request('wrk_b', 3))).toHaveLength(0);
    const heldByB = await b.queue.claim(request('wrk_b', 3, later));
    expect([heldByA.length, heldByB.length]).toEqual([10, 3]);

    // B's attempts end: A holds more of the endpoint's attempts, so B's refill takes none of it.
    const refillOfB = await b.queue.recordAndClaim(heldByB.map(succeeded), request('wrk_b', 10));
    expect(refillOfB.jobs).toHaveLength(0);
    // A's refill takes every free slot: the two A freed, the three B freed and the three unused.
    const refillOfA = await a.queue.recordAndClaim(heldByA.slice(0, 2).map(succeeded), request('wrk_a', 10));
    expect(refillOfA.jobs).toHaveLength(8);

    // Four of A's attempts end without a refill: woken, B leaves their slots to A while A has
    // leased there lately (a worker that stepped back and went idle used to take them here)...
    await a.queue.record(heldByA.slice(2, 6).map(succeeded));
    const comeBack: number[] = [];
    const leftToA: Array<[string[], number]> = [];
    const woken = within(nextWake(a), 5_000, 'the wake-up of the stepping-back claim');
    const stepBack = { onDueLater: (at: Date) => comeBack.push(at.getTime()), onLeftToOthers: (ids: string[], until: Date) => leftToA.push([ids, until.getTime()]) };
    expect(await b.queue.claim({ ...request('wrk_b', 16), ...stepBack })).toHaveLength(0);
    // ...told to leave it alone until A may have stopped, and to look again then (an idle engine
    // claims at once whatever it sees due: it would spin, stepping back each time)...
    expect(leftToA).toEqual([[['ep_shared'], now.getTime() + ACTIVE_HOLDER_MS]]);
    expect(comeBack).toEqual([now.getTime() + ACTIVE_HOLDER_MS]);
    expect(await b.queue.nextDueAt(['ep_shared'])).toBeNull();
    const passedOver: string[][] = [];
    expect(await b.queue.claim({ ...request('wrk_b', 16), leaveAlone: ['ep_shared'], onPassedOver: (ids) => passedOver.push(ids) })).toHaveLength(0);
    expect(passedOver).toEqual([]);
    // ...while for A the endpoint is due now, and A is woken: its claim takes the free slots at
    // once, not when its own records come (they were put off for A too, a second behind a slow receiver).
    expect((await a.queue.nextDueAt())!.getTime()).toBeLessThanOrEqual(now.getTime());
    await woken;
    expect(await a.queue.claim(request('wrk_a', 16))).toHaveLength(4);
  });

  it('answers one event to concurrent publishes with the same idempotency key', async () => {
    const publish = async (store: Store, id: string) =>
      (
        await store.events.publish({
          tenantId: 'acme',
          items: [{ event: { id, tenantId: 'acme', type: 'order.paid', createdAt: now, data: {}, idempotencyKey: 'same-key' }, deliveries: [] }],
          maxAttempts: 3,
        })
      ).outcomes[0]!;
    const results = await Promise.all([publish(a, 'evt_a1'), publish(b, 'evt_b1'), publish(a, 'evt_a2'), publish(b, 'evt_b2')]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
  });

  it('wakes the other store through NOTIFY, and its own listeners once', async () => {
    let ownWakes = 0;
    a.queue.onWake(() => ownWakes++);
    const woken = nextWake(b);
    await a.queue.wake();
    await within(woken, 5000, "the other store's wake-up");
    expect(ownWakes).toBe(1);
  });

  it('wakes the other store when a publish makes an endpoint due, and not when it was due already', async () => {
    await addEndpoint(a, 'ep_w', now);
    const publish = (id: string) =>
      a.events.publish({
        tenantId: 'acme',
        items: [{ event: { id, tenantId: 'acme', type: 'order.paid', createdAt: now, data: {}, idempotencyKey: null }, deliveries: [{ id: `dlv_${id}`, endpointId: 'ep_w' }] }],
        maxAttempts: 3,
      });
    let ownWakes = 0;
    let otherWakes = 0;
    a.queue.onWake(() => ownWakes++);
    b.queue.onWake(() => otherWakes++);
    const woken = nextWake(b);
    await publish('evt_w1');
    await within(woken, 5000, "the other store's wake-up");
    expect(ownWakes).toBe(1);
    // The endpoint is due already: a claim is coming, no one is woken again.
    await publish('evt_w2');
    await a.catchUpOnChanges(); // every notice committed so far has reached a's listener; b's shares the server
    await b.catchUpOnChanges();
    expect([ownWakes, otherWakes]).toEqual([1, 1]);
  });

  it("tells the other store's listeners when a tenant's endpoints change", async () => {
    const heard = new Promise<string | null>((resolve) => {
      const stop = b.onEndpointsChanged((tenantId) => (stop(), resolve(tenantId)));
    });
    await addEndpoint(a, 'ep_x', now);
    expect(await within(heard, 5000, "the other store's endpoint notice")).toBe('acme');
  });

  it('listens again after its listening connection is killed', async () => {
    const reconnected = nextWake(b);
    const { rows } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      `herald-wake:${schemas.at(-1)}`,
    ]);
    expect(rows).toHaveLength(2); // a's and b's listeners
    // Notifications sent while it was down are lost, so coming back wakes everyone.
    await within(reconnected, 5000, 'the reconnect');
    const woken = nextWake(b);
    await a.queue.wake();
    await within(woken, 5000, 'a wake-up after the reconnect');
  });
});

describe('PostgreSQL reaching rows by key, whatever the tables hold and the statistics say', () => {
  const openWithOneEndpoint = async (schema: string) => {
    const store = await openPostgresStore(URL, { schema });
    await store.migrate();
    await store.tenants.create({ id: 'acme', name: 'Acme', settings: defaultTenantSettings(), createdAt: new Date() });
    await addEndpoint(store, 'ep_one', new Date());
    return store;
  };
  const publish = (store: Store, count: number, prefix: string) =>
    store.events.publish({
      tenantId: 'acme',
      items: Array.from({ length: count }, (_, i) => ({
        event: { id: `evt_${prefix}${i}`, tenantId: 'acme', type: 'order.created', createdAt: new Date(), data: {}, idempotencyKey: null },
        deliveries: [{ id: `dlv_${prefix}${String(i).padStart(4, '0')}`, endpointId: 'ep_one' }],
      })),
      maxAttempts: 3,
    });
  const claim = (store: Store, limit: number) => store.queue.claim({ now: new Date(), limit, maxInFlightPerEndpoint: 16, leaseGraceMs: 60_000, owner: 'wrk_a' });
  const succeeded = (job: DeliveryJob): AttemptRecord => ({
    deliveryId: job.delivery.id,
    attempt: { number: 1, startedAt: new Date(), durationMs: 1, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} },
    verdict: { kind: 'succeeded' },
    endpointHealth: 'success',
    autoDisableAfterFailures: 0,
    now: new Date(),
  });
  /**
   * The rows PostgreSQL read from `table` (whole-table passes and index fetches) and updated,
   * while `work` ran on a store of its own. A backend reports its counts when its connection ends.
   */
  const countWhile = async (schema: string, table: string, work: (store: Store) => Promise<void>, expectedUpdates: number, options: { plannerCheckMs?: number } = {}) => {
    const counts = async () => {
      const { rows } = await admin.query(
        `select seq_tup_read + coalesce(idx_tup_fetch, 0) as read, n_tup_upd as updated from pg_stat_user_tables where schemaname = $1 and relname = $2`,
        [schema, table],
      );
      return { read: Number(rows[0].read), updated: Number(rows[0].updated) };
    };
    const before = await counts();
    const store = await openPostgresStore(URL, { schema, ...options });
    await work(store);
    await store.close();
    const after = await eventually(async () => {
      const now = await counts();
      return now.updated - before.updated >= expectedUpdates && now;
    }, 5000);
    expect(after.updated - before.updated).toBe(expectedUpdates);
    return after.read - before.read;
  };

  // Another tenant's 20,000 endpoints, as a shared database holds them. From a connection of its
  // own, which reports its rows to the server's statistics as it ends.
  const addCrowd = async (store: Store, schema: string) => {
    await store.tenants.create({ id: 'crowd', name: 'Crowd', settings: defaultTenantSettings(), createdAt: new Date() });
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    try {
      await client.query(`insert into "${schema}".endpoints (id, tenant_id, url, description, event_types, status, consecutive_failures, headers, created_at, updated_at, failing, ordering, held)
        select 'ep_crowd_' || g, 'crowd', 'https://example.com/crowd', '', '["*"]', 'active', 0, '{}', 0, 0, 0, 'unordered', 0 from generate_series(1, 20000) as g`);
    } finally {
      await client.end();
    }
  };
  // Each round updates ep_one three times: the publish's mark, the claim's reschedule, the record.
  const deliverRounds = async (store: Store, rounds: number, prefix: string) => {
    for (let round = 0; round < rounds; round++) {
      await publish(store, 1, `${prefix}${round}_`);
      const [job] = await claim(store, 8);
      expect(job?.delivery.id).toBe(`dlv_${prefix}${round}_0000`);
      await store.queue.record([succeeded(job!)]);
    }
  };

  /**
   * The delivery rows read over twelve claims of 8 and their records, by a store of its own (past
   * the fifth run PostgreSQL plans a prepared statement once for any parameters), once at least
   * 96 deliveries to ep_one wait.
   */
  const deliveryReadsOverTwelveClaims = async (schema: string) => {
    let claimed = 0;
    const reads = await countWhile(schema, 'deliveries', async (store) => {
      for (let round = 0; round < 12; round++) {
        const jobs = await claim(store, 8);
        claimed += jobs.length;
        await store.queue.record(jobs.map(succeeded));
      }
    }, 192); // each delivery updated twice: leased, then recorded
    expect(claimed).toBe(96);
    return reads;
  };

  it('publishes, claims and records without reading every endpoint row', async () => {
    const schema = freshSchema();
    const store = await openWithOneEndpoint(schema);
    await addCrowd(store, schema);
    await admin.query(`analyze "${schema}".endpoints`);
    await store.close();

    const reads = await countWhile(schema, 'endpoints', (store) => deliverRounds(store, 3, 'r'), 9);
    // A few index probes of ep_one per step; one pass over the table would be 20,000.
    expect(reads).toBeLessThan(1000);
  });

  it('goes on reaching endpoints by key when they grow from one to 20,000 under a running store', async () => {
    const schema = freshSchema();
    await (await openWithOneEndpoint(schema)).close();
    const rowsCounted = async () => {
      const { rows } = await admin.query(`select reltuples from pg_class where oid = to_regclass($1)`, [`"${schema}".endpoints`]);
      return Number(rows[0].reltuples);
    };
    const reads = await countWhile(
      schema,
      'endpoints',
      async (store) => {
        // Past the fifth run each statement is planned for any parameters, while the table holds one row.
        await deliverRounds(store, 8, 'warm');
        await addCrowd(store, schema);
        // No ANALYZE from outside, as where autovacuum is off or has not come round yet: the store's own check.
        await eventually(async () => (await rowsCounted()) > 20_000, 5000);
        await deliverRounds(store, 3, 'r');
      },
      33,
      { plannerCheckMs: 50 },
    );
    // The plans made while the table held one row scanned it whole: 20,000 rows a statement.
    expect(reads).toBeLessThan(1000);
  });

  it('claims without reading every delivery when the statistics were taken while the table was empty', async () => {
    const schema = freshSchema();
    const store = await openWithOneEndpoint(schema);
    // A young database as autovacuum may leave it: analysed empty, then filled.
    await admin.query(`vacuum analyze "${schema}".deliveries, "${schema}".events, "${schema}".endpoints, "${schema}".tenants`);
    await publish(store, 3000, '');
    await store.close();

    // Every waiting delivery read again in each claim would be 3,000 rows a claim; a few index probes here.
    expect(await deliveryReadsOverTwelveClaims(schema)).toBeLessThan(3000);
  });

  it("leases by key when a healthy table's statistics saw no waiting delivery and another endpoint's backlog waits", async () => {
    const schema = freshSchema();
    const store = await openWithOneEndpoint(schema);
    await addEndpoint(store, 'ep_down', new Date());
    // 20,000 delivered, then analysed: as autovacuum leaves a healthy table, no waiting row in its sample.
    await admin.query(`insert into "${schema}".events (id, tenant_id, type, data, is_test, created_at, xid)
      select 'evt_old' || g, 'acme', 'order.created', '{}', 0, 0, 1 from generate_series(1, 20000) as g`);
    await admin.query(`insert into "${schema}".deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts, run_start, next_attempt_at, is_test, created_at)
      select 'dlv_old' || g, 'acme', 'evt_old' || g, 'ep_one', 'order.created', 'succeeded', 1, 3, 0, null, 0, 0 from generate_series(1, 20000) as g`);
    await admin.query(`analyze "${schema}".deliveries, "${schema}".events, "${schema}".endpoints, "${schema}".tenants`);
    // Then ep_down's receiver goes away: 3,000 retries wait for later.
    await admin.query(`insert into "${schema}".deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts, run_start, next_attempt_at, is_test, created_at)
      select 'dlv_down' || g, 'acme', 'evt_old' || g, 'ep_down', 'order.created', 'failed', 1, 3, 0, ${Date.now() + 3_600_000}, 0, 0 from generate_series(1, 3000) as g`);
    await publish(store, 96, '');
    await store.close();

    // Walking the waiting deliveries for each lease would read ep_down's 3,000 twelve times.
    expect(await deliveryReadsOverTwelveClaims(schema)).toBeLessThan(3000);
  });
});

describe('PostgreSQL polling while publishers on other connections commit', () => {
  // Transactions commit in any order and stay open for random times; a poller walking `after`
  // must still see every event once, in one stable order, with no lock ordering publishes.
  // Eight raw connections hold their publish transactions open (the store's own publish never
  // waits inside one), while two stores publish through the real path beside them.
  it('lets a concurrent poller see every event exactly once, in a stable order', async () => {
    const schema = freshSchema();
    const stores = await Promise.all([openPostgresStore(URL, { schema }), openPostgresStore(URL, { schema }), openPostgresStore(URL, { schema })]);
    const [a, b, reader] = stores as [Store, Store, Store];
    const holders = Array.from({ length: 8 }, () => new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` }));
    try {
      await a.migrate();
      await Promise.all(holders.map((client) => client.connect()));
      const now = new Date('2026-05-28T12:00:00.000Z');
      await a.tenants.create({ id: 'acme', name: 'Acme', settings: defaultTenantSettings(), createdAt: now });
      await addEndpoint(a, 'ep_0', now);

      let next = 0;
      const nextId = () => `evt_${String(next++).padStart(5, '0')}`;
      const committed: string[] = [];
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const holder = async (client: pg.Client) => {
        for (let round = 0; round < 25; round++) {
          const ids = [nextId(), nextId()];
          await client.query('begin');
          for (const id of ids) {
            await client.query(`insert into events (id, tenant_id, type, data, is_test, created_at) values ($1, 'acme', 'order.paid', '{}', 0, 0)`, [id]);
            await sleep(Math.random() * 20);
          }
          // A few roll back: their events must never show.
          if (round % 7 === 3) await client.query('rollback');
          else {
            await client.query('commit');
            committed.push(...ids);
          }
        }
      };
      const publisher = async (store: Store) => {
        for (let round = 0; round < 60; round++) {
          const id = nextId();
          await store.events.publish({
            tenantId: 'acme',
            items: [{ event: { id, tenantId: 'acme', type: 'order.paid', createdAt: now, data: { id }, idempotencyKey: null }, deliveries: [{ id: `dlv_${id}`, endpointId: 'ep_0' }] }],
            maxAttempts: 3,
          });
          committed.push(id);
        }
      };
      let publishing = true;
      const seen: string[] = [];
      const poller = async () => {
        let after: string | null = null;
        // Transaction ids are server-wide: another session's open transaction (other tests share
        // this server) holds the horizon back for a while, so the poller waits for it, bounded.
        const deadline = Date.now() + 30_000;
        while (publishing || (seen.length < committed.length && Date.now() < deadline)) {
          const page = await reader.events.poll('acme', { after, limit: 7 });
          if (page.length === 0) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            continue;
          }
          seen.push(...page.map((event) => event.id));
          after = page.at(-1)!.cursor;
        }
        // Nothing more may show up behind or after the last event.
        expect(await reader.events.poll('acme', { after, limit: 7 })).toEqual([]);
      };
      const polling = poller();
      await Promise.all([...holders.map(holder), publisher(a), publisher(b)]);
      publishing = false;
      await polling;

      expect(committed.length).toBeGreaterThan(400);
      expect(seen.length - new Set(seen).size).toBe(0); // seen twice
      expect(committed.filter((id) => !seen.includes(id))).toEqual([]); // skipped
      expect(seen.filter((id) => !committed.includes(id))).toEqual([]); // rolled back, yet seen
      // Stable: polling everything again from the start gives the order the live poller saw.
      const again: string[] = [];
      for (let after: string | null = null; ; ) {
        const page = await reader.events.poll('acme', { after, limit: 100 });
        if (page.length === 0) break;
        again.push(...page.map((event) => event.id));
        after = page.at(-1)!.cursor;
      }
      expect(again).toEqual(seen);
    } finally {
      await Promise.all(holders.map((client) => client.end().catch(() => {})));
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);
});
