import { afterAll, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
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
 * Scale-out on PostgreSQL, as real processes: one `herald serve --no-workers` and three
 * `herald worker`s on a database of their own. A burst of events from concurrent publishers;
 * one worker is SIGKILLed mid-burst. Every accepted event still reaches every endpoint (its
 * leases come back after attemptTimeoutMs + HERALD_LEASE_GRACE_MS), and the per-endpoint
 * in-flight cap (16, the engine default) holds across the three workers at the receiver.
 */

const TOTAL = 2000;
const PUBLISHERS = 8;
const WORKERS = 3;
const MAX_IN_FLIGHT_PER_ENDPOINT = 16;
const ATTEMPT_TIMEOUT_MS = 5000;
const LEASE_GRACE_MS = 2000;
const PATHS = ['/a', '/b'];

let database: TestDatabase | null = null;
let receiver: ConcurrencyReceiver | null = null;

afterAll(async () => {
  await killClusterProcesses();
  await receiver?.close();
  await database?.drop();
});

it('delivers every accepted event across three workers when one is SIGKILLed mid-burst', async () => {
  database = await createTestDatabase();
  const env = clusterEnv({ HERALD_LEASE_GRACE_MS: String(LEASE_GRACE_MS) });
  const token = env.HERALD_ADMIN_TOKEN!;
  // Each answer takes a few ms, so the endpoints build a backlog and the cap is reached.
  receiver = await ConcurrencyReceiver.start(5);

  const api = await startApiProcess({ databaseUrl: database.url, env });
  const workers: ClusterProcess[] = await Promise.all(Array.from({ length: WORKERS }, () => startWorkerProcess({ databaseUrl: database!.url, env })));
  const call = (method: string, path: string, body?: unknown) => callApi(api.url!, token, method, path, body);

  expect((await call('POST', '/api/v1/event-types', { name: 'cluster.burst', description: 'Burst' })).status).toBe(201);
  const tenant = await call('POST', '/api/v1/tenants', {
    id: 'cluster',
    name: 'Cluster',
    settings: { retrySchedule: [0, 1, 1, 1, 1], attemptTimeoutMs: ATTEMPT_TIMEOUT_MS },
  });
  expect(tenant.status).toBe(201);
  for (const path of PATHS) {
    const endpoint = await call('POST', '/api/v1/tenants/cluster/endpoints', { url: `${receiver.url}${path}`, eventTypes: ['cluster.*'] });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  }

  // SIGKILL the first worker once about half the events were accepted, while deliveries flow.
  const victim = workers[0]!;
  const accepted: string[] = [];
  let killed = false;
  let atKill = { accepted: 0, received: 0 };
  const maybeKill = () => {
    if (killed || accepted.length < TOTAL / 2 || receiver!.total === 0) return;
    killed = true;
    atKill = { accepted: accepted.length, received: receiver!.total };
    victim.child.kill('SIGKILL');
  };
  receiver.onRequest = maybeKill;

  const startedAt = Date.now();
  let next = 0;
  const failures: string[] = [];
  const publisher = async () => {
    while (next < TOTAL) {
      const n = next++;
      const published = await call('POST', '/api/v1/tenants/cluster/events', { type: 'cluster.burst', data: { n } });
      if (published.status === 202) accepted.push(published.body.id);
      else failures.push(`${published.status} ${JSON.stringify(published.body)}`);
      maybeKill();
      if (process.env.CLUSTER_DEBUG && n % 200 === 0) console.error(`published ${n} at ${Date.now() - startedAt} ms, received ${receiver!.total}`);
    }
  };
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
  const publishedMs = Date.now() - startedAt;
  expect(failures.slice(0, 3), api.output().slice(-3000)).toEqual([]);
  expect(accepted).toHaveLength(TOTAL);
  expect(killed).toBe(true);
  expect((await victim.exited).signal).toBe('SIGKILL');

  if (process.env.CLUSTER_DEBUG) console.error(`published all in ${publishedMs} ms`);
  const missing = () => accepted.flatMap((id) => PATHS.filter((path) => receiver!.count(path, id) === 0).map((path) => `${path} ${id}`));
  await eventually(async () => missing().length === 0, 60_000).catch(() => {
    const gaps = missing();
    throw new Error(
      `${gaps.length} of ${TOTAL * PATHS.length} deliveries never arrived, e.g. ${gaps.slice(0, 5).join(', ')}\n` +
        workers.map((w, i) => `--- worker ${i}\n${w.output().slice(-2000)}`).join('\n'),
    );
  });
  const allArrivedMs = Date.now() - startedAt;

  let duplicates = 0;
  let duplicated = 0;
  for (const count of receiver.arrivals.values()) {
    duplicates += count - 1;
    if (count > 1) duplicated++;
  }
  const maxOpen = PATHS.map((path) => receiver!.maxOpen.get(path) ?? 0);
  console.log(
    `cluster: ${WORKERS} workers + 1 API process on PostgreSQL; ${TOTAL} events x ${PATHS.length} endpoints accepted in ${publishedMs} ms; ` +
      `worker 0 SIGKILLed after ${atKill.accepted} accepted / ${atKill.received} received; every delivery arrived within ${allArrivedMs} ms; ` +
      `${duplicates} duplicate deliveries (${duplicated} event-endpoint pairs received more than once); ` +
      `max concurrent requests per endpoint ${maxOpen.join(', ')} (cap ${MAX_IN_FLIGHT_PER_ENDPOINT})`,
  );
  for (const open of maxOpen) expect(open).toBeLessThanOrEqual(MAX_IN_FLIGHT_PER_ENDPOINT);
  // The survivors kept running throughout.
  for (const worker of workers.slice(1)) expect(worker.child.exitCode).toBeNull();
}, 180_000);
