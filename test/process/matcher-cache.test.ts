import { afterAll, expect, it } from 'vitest';
import {
  callApi,
  clusterEnv,
  ConcurrencyReceiver,
  createTestDatabase,
  killClusterProcesses,
  startApiProcess,
  startWorkerProcess,
  type TestDatabase,
} from '../support/herald-cluster.js';

/**
 * The endpoint matcher cache across processes on PostgreSQL: two `herald serve --no-workers`
 * processes on one database, each matching publishes from its own in-memory cache, and one
 * worker. An endpoint created, edited, disabled or deleted through process A is matched as it
 * now is by a publish through process B sent right after A answered: B's cache has been told
 * (LISTEN/NOTIFY), never left with the list it loaded before.
 */

const ROUNDS = 10;

let database: TestDatabase | null = null;
let receiver: ConcurrencyReceiver | null = null;

afterAll(async () => {
  await killClusterProcesses();
  await receiver?.close();
  await database?.drop();
});

it('matches a publish through one API process against endpoint changes made through another, right after', async () => {
  database = await createTestDatabase();
  const env = clusterEnv();
  const token = env.HERALD_ADMIN_TOKEN!;
  receiver = await ConcurrencyReceiver.start(0);
  // Generous start timeouts: several engineers' processes share two cores.
  const options = { databaseUrl: database.url, env, startTimeoutMs: 90_000 };
  const a = await startApiProcess(options);
  const b = await startApiProcess(options);
  await startWorkerProcess(options);
  const viaA = (method: string, path: string, body?: unknown) => callApi(a.url!, token, method, path, body);
  const viaB = (method: string, path: string, body?: unknown) => callApi(b.url!, token, method, path, body);

  for (const name of ['cache.one', 'cache.two']) expect((await viaA('POST', '/api/v1/event-types', { name })).status).toBe(201);
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

    const created = await viaA('POST', '/api/v1/tenants/cached/endpoints', { url: `${receiver.url}/r${round}`, eventTypes: ['cache.one'] });
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

  expect(receiver.total).toBe(ROUNDS * 3);
}, 300_000);
