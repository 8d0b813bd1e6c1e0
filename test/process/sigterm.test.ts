import { join } from 'node:path';
import { expect, it } from 'vitest';
import { processTestScratch, sleep, startHeraldProcess, stopProcess, withTimeout } from '../support/herald-process.js';

/**
 * SIGTERM drains: `herald serve` stops claiming, lets the attempts in flight finish and
 * records them, then exits 0; a restart on the same database finds them succeeded and
 * sends nothing again.
 */

const ADMIN_TOKEN = 'sigterm-test-admin-token';
const EVENTS = 5;
const ATTEMPT_TIMEOUT_MS = 2000;
const RECEIVER_DELAY_MS = 500;
const LEASE_GRACE_MS = 1000;

const scratch = processTestScratch('herald-sigterm-');

it('finishes and records the attempts in flight on SIGTERM, then exits 0', async () => {
  const dir = scratch.dir();
  const options = { databaseUrl: `sqlite:${join(dir, 'h.db')}`, adminToken: ADMIN_TOKEN, env: { HERALD_LEASE_GRACE_MS: String(LEASE_GRACE_MS) } };

  // Answers ~500 ms after the last of the events arrived, so all of them are in flight at once.
  let answered = 0;
  let allArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (allArrived = resolve));
  const receiver = await scratch.receiver(async (_request, res) => {
    if (receiver.received.length >= EVENTS) allArrived();
    await arrived;
    await sleep(RECEIVER_DELAY_MS);
    if (res.destroyed) return;
    res.writeHead(200).end('slow ok');
    answered++;
  });

  const herald = await startHeraldProcess(options);
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'drain.test', description: 'Drain' })).status).toBe(201);
  expect(
    (await herald.api('POST', '/api/v1/tenants', { id: 'drain', name: 'Drain', settings: { retrySchedule: [0, 1, 1], attemptTimeoutMs: ATTEMPT_TIMEOUT_MS } })).status,
  ).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants/drain/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['drain.*'] })).status).toBe(201);

  const eventIds: string[] = [];
  for (let n = 0; n < EVENTS; n++) {
    const published = await herald.api('POST', '/api/v1/tenants/drain/events', { type: 'drain.test', data: { n } });
    expect(published.status).toBe(202);
    eventIds.push(published.body.id);
  }
  // Every attempt has reached the receiver, none has been answered yet: all are in flight.
  await withTimeout(arrived, 5_000, () => `${receiver.received.length} of ${EVENTS} attempts arrived`);
  expect(answered).toBe(0);

  const signalledAt = Date.now();
  herald.child.kill('SIGTERM');
  const exit = await herald.exited;
  const tookMs = Date.now() - signalledAt;
  expect(exit, herald.output()).toEqual({ code: 0, signal: null });
  expect(tookMs).toBeLessThan(ATTEMPT_TIMEOUT_MS + 1500);
  expect(answered).toBe(EVENTS);
  console.log(`sigterm: exited 0 after ${tookMs} ms with ${EVENTS} attempts in flight`);

  // The restarted process finds every attempt recorded as succeeded.
  const restarted = await startHeraldProcess(options);
  const log = await restarted.api('GET', '/api/v1/tenants/drain/deliveries?limit=250');
  expect(log.status).toBe(200);
  expect(log.body.data.map((d: { eventId: string }) => d.eventId).sort()).toEqual([...eventIds].sort());
  for (const delivery of log.body.data as Array<{ id: string; status: string; attemptCount: number }>) {
    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    const detail = await restarted.api('GET', `/api/v1/tenants/drain/deliveries/${delivery.id}`);
    expect(detail.body.attempts).toHaveLength(1);
    expect(detail.body.attempts[0]).toMatchObject({ number: 1, statusCode: 200, error: null, responseBody: 'slow ok' });
  }
  // Nothing was left leased, so nothing goes out again (waiting past when a lease would end).
  await sleep(ATTEMPT_TIMEOUT_MS + LEASE_GRACE_MS - (Date.now() - signalledAt) + 300);
  expect(receiver.received).toHaveLength(EVENTS);

  await stopProcess(restarted.child, 'SIGTERM');
  expect(await restarted.exited).toEqual({ code: 0, signal: null });
}, 30_000);
