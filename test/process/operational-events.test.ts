import { afterAll, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import {
  callApi,
  clusterEnv,
  createTestDatabase,
  killClusterProcesses,
  startApiProcess,
  startWorkerProcess,
  type TestDatabase,
} from '../support/herald-cluster.js';
import { Receiver } from '../support/receiver.js';

/**
 * Issue 13 on PostgreSQL with real processes: one API and three workers deliver to a failing
 * tenant endpoint at once, so its attempts are recorded by three processes in parallel. Each
 * operational event must be emitted exactly once per cause: one `endpoint.failing` for the
 * streak, one `endpoint.disabled`, one `delivery.exhausted` per dead delivery, then one
 * `endpoint.enabled` and one `endpoint.recovered`. Counted twice: at the operator's receiver
 * (by webhook-id) and in the operator's delivery log (each event is one delivery there).
 */

const WORKERS = 3;
const EVENTS = 30;
// Retries go oldest-due first, so past two rounds of the 30 (60 failures) some deliveries have used their third and last attempt (exhausted) before the endpoint is disabled.
const AUTO_DISABLE = 70;
const FAILING_AFTER = 3;

let database: TestDatabase | null = null;
let receiver: Receiver | null = null;

afterAll(async () => {
  await killClusterProcesses();
  await receiver?.close();
  await database?.drop();
});

it('emits each operational event once while three workers record a failing endpoint', async () => {
  database = await createTestDatabase();
  const env = clusterEnv();
  let healed = false;
  receiver = await Receiver.start((request, res) => void res.writeHead(request.url === '/tenant' && !healed ? 500 : 200).end());

  const api = await startApiProcess({ databaseUrl: database.url, env });
  await Promise.all(Array.from({ length: WORKERS }, () => startWorkerProcess({ databaseUrl: database!.url, env })));
  const call = (method: string, path: string, body?: unknown) => callApi(api.url!, env.HERALD_ADMIN_TOKEN!, method, path, body);

  expect((await call('PATCH', '/api/v1/operator/settings', { failingAfter: FAILING_AFTER })).status).toBe(200);
  const operator = await call('POST', '/api/v1/operator/endpoints', { url: `${receiver.url}/ops`, eventTypes: ['*'] });
  expect(operator.status).toBe(201);
  expect((await call('POST', '/api/v1/event-types', { name: 'ops.burst' })).status).toBe(201);
  expect((await call('POST', '/api/v1/tenants', { id: 'ops', name: 'Ops', settings: { retrySchedule: [0, 0, 0], autoDisableAfterFailures: AUTO_DISABLE } })).status).toBe(201);
  const endpoint = await call('POST', '/api/v1/tenants/ops/endpoints', { url: `${receiver.url}/tenant`, eventTypes: ['ops.*'] });
  expect(endpoint.status).toBe(201);

  await Promise.all(Array.from({ length: EVENTS }, (_, n) => call('POST', '/api/v1/tenants/ops/events', { type: 'ops.burst', data: { n } })));
  const status = async () => (await call('GET', '/api/v1/tenants/ops/endpoints/' + endpoint.body.id)).body.status as string;
  await eventually(async () => (await status()) === 'disabled', 60_000);
  // Attempts in flight when it was disabled still end and are recorded: wait until none is left.
  const deliveries = async () => (await call('GET', '/api/v1/tenants/ops/deliveries?limit=250')).body.data as Array<{ id: string; status: string }>;
  await eventually(async () => (await deliveries()).every((d) => d.status !== 'delivering'), 30_000);
  const dead = (await deliveries()).filter((d) => d.status === 'dead').map((d) => d.id);

  healed = true;
  expect((await call('POST', `/api/v1/tenants/ops/endpoints/${endpoint.body.id}/enable`)).status).toBe(200);
  await eventually(async () => (await deliveries()).every((d) => d.status === 'succeeded' || d.status === 'dead'), 60_000);

  /** The operator's deliveries by event type, read from its log; and what its receiver got, by webhook-id. */
  const logged = async () => {
    const rows = (await call('GET', '/api/v1/operator/deliveries?limit=250')).body.data as Array<{ eventType: string; eventId: string }>;
    return rows;
  };
  await eventually(async () => (await logged()).some((d) => d.eventType === 'endpoint.recovered'), 30_000);
  await eventually(async () => receiver!.received.filter((r) => r.url === '/ops').length >= (await logged()).length, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // anything late would show now

  const rows = await logged();
  const count = (type: string) => rows.filter((d) => d.eventType === type).length;
  const arrived = new Map<string, { type: string; data: Record<string, unknown> }>();
  for (const request of receiver.received.filter((r) => r.url === '/ops')) arrived.set(String(request.headers['webhook-id']), JSON.parse(request.body));
  const arrivedOf = (type: string) => [...arrived.values()].filter((e) => e.type === type);

  console.log(
    `operational events: ${WORKERS} workers, ${EVENTS} events to a failing endpoint; ${dead.length} dead; ` +
      `emitted ${['endpoint.failing', 'endpoint.disabled', 'delivery.exhausted', 'endpoint.enabled', 'endpoint.recovered'].map((t) => `${t} ${count(t)}`).join(', ')}`,
  );
  expect(count('endpoint.failing')).toBe(1);
  expect(count('endpoint.disabled')).toBe(1);
  expect(count('endpoint.enabled')).toBe(1);
  expect(count('endpoint.recovered')).toBe(1);
  expect(dead.length).toBeGreaterThan(0);
  expect(count('delivery.exhausted')).toBe(dead.length);
  expect(rows).toHaveLength(4 + dead.length);
  expect(arrived.size).toBe(rows.length);
  expect(arrivedOf('endpoint.failing')[0]!.data).toMatchObject({ tenantId: 'ops', endpointId: endpoint.body.id, consecutiveFailures: FAILING_AFTER, lastStatusCode: 500 });
  expect(arrivedOf('endpoint.disabled')[0]!.data).toMatchObject({ tenantId: 'ops', by: 'system', reason: `${AUTO_DISABLE} consecutive failed attempts` });
  expect(new Set(arrivedOf('delivery.exhausted').map((e) => e.data.deliveryId))).toEqual(new Set(dead));
}, 180_000);
