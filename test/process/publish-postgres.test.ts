import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  callApi,
  clusterEnv,
  ConcurrencyReceiver,
  createTestDatabase,
  killClusterProcesses,
  startApiProcess,
  startWorkerProcess,
  type ClusterProcess,
  type TestDatabase,
} from '../support/herald-cluster.js';

/**
 * Publishing on PostgreSQL, as real processes: two `herald serve --no-workers` on one
 * database, each matching publishes from its own in-memory endpoint matcher cache, and one
 * `herald worker`.
 * - An endpoint created, edited or deleted through process A is matched as it now is by a
 *   publish through process B sent right after A answered: B's cache has been told
 *   (LISTEN/NOTIFY), never left with the list it loaded before.
 * - A batch published through one process while single publishes run through the other takes
 *   consecutive polling positions in request order, and its deliveries arrive.
 */

const ROUNDS = 10;

let database: TestDatabase | null = null;
let receiver: ConcurrencyReceiver | null = null;
let a: ClusterProcess;
let b: ClusterProcess;
let token: string;
const viaA = (method: string, path: string, body?: unknown) => callApi(a.url!, token, method, path, body);
const viaB = (method: string, path: string, body?: unknown) => callApi(b.url!, token, method, path, body);

beforeAll(async () => {
  database = await createTestDatabase();
  const env = clusterEnv();
  token = env.HERALD_ADMIN_TOKEN!;
  receiver = await ConcurrencyReceiver.start(0);
  // Generous start timeouts: several engineers' processes share two cores.
  const options = { databaseUrl: database.url, env, startTimeoutMs: 90_000 };
  a = await startApiProcess(options);
  b = await startApiProcess(options);
  await startWorkerProcess(options);
  for (const name of ['cache.one', 'cache.two']) expect((await viaA('POST', '/api/v1/event-types', { name })).status).toBe(201);
}, 300_000);

afterAll(async () => {
  await killClusterProcesses();
  await receiver?.close();
  await database?.drop();
});

it('matches a publish through one API process against endpoint changes made through another, right after', async () => {
  expect((await viaA('POST', '/api/v1/tenants', { id: 'cached', name: 'Cached', settings: { retrySchedule: [0] } })).status).toBe(201);

  /** Publishes through B (single or batch) and answers the endpoint ids that got a delivery. */
  const publishThroughB = async (round: number, type: string, data: Record<string, unknown>): Promise<string[]> => {
    const answer =
      round % 2 === 0
        ? await viaB('POST', '/api/v1/tenants/cached/events', { type, data })
        : await viaB('POST', '/api/v1/tenants/cached/events/batch', { events: [{ type, data }] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const eventId: string = round % 2 === 0 ? answer.body.id : answer.body.data[0].id;
    // Deliveries are written in the publish transaction: the 202 means they are all there.
    const log = await viaB('GET', `/api/v1/tenants/cached/deliveries?limit=250&eventType=${type}`);
    return log.body.data.filter((d: { eventId: string }) => d.eventId === eventId).map((d: { endpointId: string }) => d.endpointId).sort();
  };

  for (let round = 0; round < ROUNDS; round++) {
    // B has the tenant's list in memory before each change.
    expect(await publishThroughB(round, 'cache.one', { round, step: 'warm' })).toEqual([]);

    const created = await viaA('POST', '/api/v1/tenants/cached/endpoints', { url: `${receiver!.url}/r${round}`, eventTypes: ['cache.one'] });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(await publishThroughB(round, 'cache.one', { round, step: 'created' }), `round ${round}: created`).toEqual([id]);

    expect((await viaA('PATCH', `/api/v1/tenants/cached/endpoints/${id}`, { eventTypes: ['cache.two'] })).status).toBe(200);
    expect(await publishThroughB(round, 'cache.one', { round, step: 'resubscribed' }), `round ${round}: resubscribed`).toEqual([]);
    expect(await publishThroughB(round, 'cache.two', { round, step: 'resubscribed' }), `round ${round}: resubscribed`).toEqual([id]);

    expect((await viaA('PATCH', `/api/v1/tenants/cached/endpoints/${id}`, { filter: { 'data.step': 'filtered' } })).status).toBe(200);
    expect(await publishThroughB(round, 'cache.two', { round, step: 'other' }), `round ${round}: filtered out`).toEqual([]);
    expect(await publishThroughB(round, 'cache.two', { round, step: 'filtered' }), `round ${round}: filtered in`).toEqual([id]);

    // The three matched publishes reach the receiver, and their attempts are recorded, before
    // the endpoint goes (deleting it while a worker records its attempt is another test's race).
    const arrived = () => [...receiver!.arrivals.keys()].filter((key) => key.startsWith(`/r${round} `)).length;
    const succeeded = async () => (await viaA('GET', `/api/v1/tenants/cached/deliveries?endpointId=${id}&outcome=succeeded`)).body.data.length;
    for (const deadline = Date.now() + 30_000; (arrived() < 3 || (await succeeded()) < 3) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(arrived(), `round ${round}: arrivals`).toBe(3);

    const deleted = await viaA('DELETE', `/api/v1/tenants/cached/endpoints/${id}`);
    expect(deleted.status, `${JSON.stringify(deleted.body)}\n${a.output().slice(-3000)}`).toBe(204);
    expect(await publishThroughB(round, 'cache.two', { round, step: 'filtered' }), `round ${round}: deleted`).toEqual([]);
  }

  expect(receiver!.total).toBe(ROUNDS * 3);
}, 300_000);

it('gives a batch consecutive polling positions beside concurrent single publishes, delivers it, and stores nothing of a refused one', async () => {
  expect((await viaA('POST', '/api/v1/tenants', { id: 'batched', name: 'Batched', settings: { retrySchedule: [0], eventQuota: { limit: 400, period: 'day' } } })).status).toBe(201);
  expect((await viaA('POST', '/api/v1/tenants/batched/endpoints', { url: `${receiver!.url}/batched`, eventTypes: ['cache.one'] })).status).toBe(201);

  const events = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'cache.one', data: { tag, i }, idempotencyKey: `${tag}-${i}` }));
  const singles = Array.from({ length: 30 }, (_, i) => viaA('POST', '/api/v1/tenants/batched/events', { type: 'cache.two', data: { single: i } }));
  const [first, second, ...others] = await Promise.all([
    viaB('POST', '/api/v1/tenants/batched/events/batch', { events: events('b1', 100) }),
    viaA('POST', '/api/v1/tenants/batched/events/batch', { events: events('b2', 100) }),
    ...singles,
  ]);
  expect(first!.status, JSON.stringify(first!.body)).toBe(202);
  expect(second!.status).toBe(202);
  expect(others.every((answer) => answer.status === 202)).toBe(true);

  // A repeat of b1's keys through the other process answers b1's events; a batch past the quota stores nothing.
  const repeat = await viaA('POST', '/api/v1/tenants/batched/events/batch', { events: events('b1', 3) });
  expect(repeat.body.data).toEqual(first!.body.data.slice(0, 3));
  const refused = await viaB('POST', '/api/v1/tenants/batched/events/batch', { events: events('over', 200) });
  expect(refused.status).toBe(429);
  expect(refused.body.error.code).toBe('quota_exceeded');

  // Polling shows an event once every transaction older than its own has ended (the brief's
  // horizon); other work on the shared server can hold that back for a moment, so read until
  // everything committed shows, within a wide bound.
  const pollAll = async () => {
    const seen: string[] = [];
    for (let after: string | null = null; ; ) {
      const page: { body: { data: Array<{ id: string }>; cursor: string; hasMore: boolean } } = await viaB('GET', `/api/v1/tenants/batched/events?limit=250${after ? `&after=${after}` : ''}`);
      seen.push(...page.body.data.map((e) => e.id));
      after = page.body.cursor;
      if (!page.body.hasMore) return seen;
    }
  };
  let order = await pollAll();
  for (const until = Date.now() + 15_000; order.length < 230 && Date.now() < until; order = await pollAll()) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(order).toHaveLength(230);
  for (const answer of [first!, second!]) {
    const ids = answer.body.data.map((e: { id: string }) => e.id);
    const start = order.indexOf(ids[0]);
    expect(order.slice(start, start + 100)).toEqual(ids);
  }

  const batchIds = [...first!.body.data, ...second!.body.data].map((e: { id: string }) => e.id);
  const deadline = Date.now() + 60_000;
  while (batchIds.some((id) => receiver!.count('/batched', id) === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(batchIds.filter((id) => receiver!.count('/batched', id) === 0)).toEqual([]);
}, 300_000);
