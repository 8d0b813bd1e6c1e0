import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import {
  aboutAThirdFailing,
  callApi,
  clusterEnv,
  ConcurrencyReceiver,
  createTestDatabase,
  killClusterProcesses,
  pidOfConnection,
  startApiProcess,
  startWorkerProcess,
  type ClusterProcess,
  type TestDatabase,
} from '../support/herald-cluster.js';

/**
 * A FIFO endpoint on PostgreSQL with three `herald worker`s taking turns at its line: 300
 * events to a receiver failing about a third of the requests at random (500s, and hangs the
 * sender gives up on after 150 ms). Each event's first successful arrival comes in publish
 * order and the receiver never has two requests open at once; the same when the worker whose
 * attempt is in flight is SIGKILLed mid-run (its lease, 150 ms + 2 s grace, then runs out
 * and the line resumes with that very delivery).
 */

const EVENTS = 300;
const BATCH = 25;
const WORKERS = 3;
const PATH = '/fifo';
const SETTINGS = { retrySchedule: Array.from({ length: 20 }, () => 0), attemptTimeoutMs: 150, autoDisableAfterFailures: 0 };

let database: TestDatabase | null = null;
let receiver: ConcurrencyReceiver | null = null;
let workers: ClusterProcess[] = [];
let call: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

// One cluster for both tests (starting four processes is most of a test's time); the kill comes last.
beforeAll(async () => {
  database = await createTestDatabase();
  const env = clusterEnv({ HERALD_LEASE_GRACE_MS: '2000' });
  receiver = await ConcurrencyReceiver.start(1);
  const api = await startApiProcess({ databaseUrl: database.url, env });
  workers = await Promise.all(Array.from({ length: WORKERS }, () => startWorkerProcess({ databaseUrl: database!.url, env })));
  call = (method, path, body) => callApi(api.url!, env.HERALD_ADMIN_TOKEN!, method, path, body);
  expect((await call('POST', '/api/v1/event-types', { name: 'order.status_changed', description: 'Order status' })).status).toBe(201);
  expect((await call('POST', '/api/v1/tenants', { id: 'shop', name: 'Shop', settings: SETTINGS })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await killClusterProcesses();
  await receiver?.close();
  await database?.drop();
});

/** A FIFO endpoint at `path` gets 300 events; resolves once each arrived, with the ids in publish order. */
async function runLine(path: string) {
  const endpoint = await call('POST', '/api/v1/tenants/shop/endpoints', { url: `${receiver!.url}${path}`, eventTypes: ['order.*'], ordering: 'fifo' });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  const startedAt = Date.now();
  // In batches of 25 (consecutive positions each), so publishing does not set the pace.
  const published: string[] = [];
  for (let n = 0; n < EVENTS; n += BATCH) {
    const events = Array.from({ length: BATCH }, (_, i) => ({ type: 'order.status_changed', data: { n: n + i } }));
    const answer = await call('POST', '/api/v1/tenants/shop/events/batch', { events });
    expect(answer.status).toBe(202);
    published.push(...answer.body.data.map((event: { id: string }) => event.id));
  }
  await eventually(async () => receiver!.firstSuccesses(path).length >= EVENTS, 60_000).catch(() => {
    throw new Error(
      `${receiver!.firstSuccesses(path).length} of ${EVENTS} events arrived; answers ${JSON.stringify(receiver!.answers)}\n` +
        workers.map((w, i) => `--- worker ${i}\n${w.output().slice(-2000)}`).join('\n'),
    );
  });
  // Endpoints of other tests stay subscribed: this one's events must not reach the next line.
  expect((await call('DELETE', `/api/v1/tenants/shop/endpoints/${endpoint.body.id}`)).status).toBe(204);
  return { published, ms: Date.now() - startedAt };
}

it('keeps a FIFO endpoint in publish order, one request at a time, across three workers', async () => {
  receiver!.answer = aboutAThirdFailing;
  const { published, ms } = await runLine('/fifo');
  console.log(`fifo (PostgreSQL, ${WORKERS} workers): ${EVENTS} events arrived in ${ms} ms; answers ${JSON.stringify(receiver!.answers)}`);
  expect(receiver!.firstSuccesses('/fifo')).toEqual(published);
  expect(receiver!.maxOpen.get('/fifo')).toBe(1);
}, 90_000);

it('resumes the line with the same delivery when the worker sending it is SIGKILLed', async () => {
  const path = '/fifo-kill';
  // A third of the way in, the next request hangs and the worker that sent it is killed.
  let victim: number | null = null;
  let killNext = false;
  receiver!.answer = () => {
    if (victim !== null || killNext || receiver!.firstSuccesses(path).length < EVENTS / 3) return aboutAThirdFailing();
    killNext = true;
    return 'hang';
  };
  receiver!.onRequest = (_path: string, request: IncomingMessage) => {
    if (!killNext) return;
    killNext = false;
    const pid = pidOfConnection(request.socket.remotePort!, workers.map((w) => w.child.pid!));
    if (pid === null) throw new Error('no worker holds the connection of the request in flight');
    victim = pid;
    process.kill(pid, 'SIGKILL');
  };

  const { published, ms } = await runLine(path);
  const killed = workers.find((w) => w.child.pid === victim);
  expect(killed, 'a worker was killed mid-attempt').toBeDefined();
  expect((await killed!.exited).signal).toBe('SIGKILL');
  console.log(`fifo (PostgreSQL, ${WORKERS} workers, one SIGKILLed mid-attempt): ${EVENTS} events arrived in ${ms} ms; answers ${JSON.stringify(receiver!.answers)}`);
  expect(receiver!.firstSuccesses(path)).toEqual(published);
  expect(receiver!.maxOpen.get(path)).toBe(1);
  for (const worker of workers.filter((w) => w !== killed)) expect(worker.child.exitCode).toBeNull();
}, 90_000);
