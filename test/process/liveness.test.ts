import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { callApi, clusterEnv, createTestDatabase, killClusterProcesses, startApiProcess, startWorkerProcess, type TestDatabase } from '../support/herald-cluster.js';

/**
 * Worker liveness on PostgreSQL, as real processes: a worker SIGKILLed while its attempts hang
 * has its leases freed by another worker within 30 s (the contract), long before the leases
 * themselves (attemptTimeoutMs 120 s + 60 s grace) would run out.
 */

const EVENTS = 40;
const ATTEMPT_TIMEOUT_MS = 120_000;

let database: TestDatabase | null = null;
let server: Server | null = null;

afterAll(async () => {
  await killClusterProcesses();
  server?.closeAllConnections();
  server?.close();
  await database?.drop();
});

it("frees a SIGKILLed worker's leases within 30 s, long before they would run out", async () => {
  database = await createTestDatabase();
  const env = clusterEnv({ HERALD_LEASE_GRACE_MS: '60000' });
  const token = env.HERALD_ADMIN_TOKEN!;
  // Until the kill, requests hang (the victim's attempts stay in flight); after it, all are answered.
  let answering = false;
  const answered = new Map<string, number>();
  let hanging = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!answering) {
        hanging++;
        return;
      }
      const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id;
      if (!answered.has(id)) answered.set(id, Date.now());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const api = await startApiProcess({ databaseUrl: database.url, env });
  const call = (method: string, path: string, body?: unknown) => callApi(api.url!, token, method, path, body);
  expect((await call('POST', '/api/v1/event-types', { name: 'live.test', description: 'Liveness' })).status).toBe(201);
  expect((await call('POST', '/api/v1/tenants', { id: 'live', name: 'Live', settings: { attemptTimeoutMs: ATTEMPT_TIMEOUT_MS } })).status).toBe(201);
  expect((await call('POST', '/api/v1/tenants/live/endpoints', { url, eventTypes: ['live.*'] })).status).toBe(201);

  const victim = await startWorkerProcess({ databaseUrl: database.url, env });
  const ids: string[] = [];
  for (let n = 0; n < EVENTS; n++) ids.push((await call('POST', '/api/v1/tenants/live/events', { type: 'live.test', data: { n } })).body.id);
  // The victim holds its endpoint's in-flight cap (16) of leases, all hanging.
  await eventually(async () => hanging >= 16, 20_000);
  victim.child.kill('SIGKILL');
  expect((await victim.exited).signal).toBe('SIGKILL');
  const killedAt = Date.now();
  answering = true;
  await startWorkerProcess({ databaseUrl: database.url, env });

  await eventually(async () => ids.every((id) => answered.has(id)), 45_000).catch(() => {
    throw new Error(`${ids.filter((id) => !answered.has(id)).length} of ${EVENTS} events never arrived after the kill`);
  });
  const lastMs = Math.max(...ids.map((id) => answered.get(id)! - killedAt));
  console.log(`liveness: ${hanging} attempts hung in the killed worker; every event answered ${lastMs} ms after the kill`);
  // 30 s is the contract; the leases themselves would have lasted 180 s.
  expect(lastMs).toBeLessThan(30_000 + 5_000);
}, 120_000);
