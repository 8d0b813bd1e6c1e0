import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEndpoint, createTenant, ensureEventType, publish } from '../support/delivery.js';
import { aboutAThirdFailing, ConcurrencyReceiver } from '../support/herald-cluster.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/**
 * A FIFO endpoint end to end (SQLite, one process): 300 events to a receiver that fails about
 * a third of the requests at random (500s, and hangs the sender gives up on). Each event's
 * first successful arrival comes in publish order, and the receiver never has two requests
 * open at once. Retries go at once (schedule of 0 s steps) and attempts time out after
 * 150 ms, so the run takes seconds; 20 steps make a delivery going dead (and the line moving
 * past it) a one-in-billions event.
 */

const TYPE = 'order.status_changed';
const EVENTS = 300;
const SETTINGS = { retrySchedule: Array.from({ length: 20 }, () => 0), attemptTimeoutMs: 150, autoDisableAfterFailures: 0 };

let herald: TestHerald;
let receiver: ConcurrencyReceiver;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await ConcurrencyReceiver.start(1);
  await ensureEventType(herald, TYPE);
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

it('delivers 300 events to a flaky FIFO endpoint first-success in publish order, one request at a time', async () => {
  const tenantId = await createTenant(herald, SETTINGS);
  const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/fifo`, eventTypes: [TYPE], ordering: 'fifo' });
  expect(endpoint.ordering).toBe('fifo');
  receiver.answer = aboutAThirdFailing;

  const startedAt = Date.now();
  const published: string[] = [];
  for (let n = 0; n < EVENTS; n++) published.push((await publish(herald, tenantId, TYPE, { order: 'ord_1', n })).id);
  const publishedMs = Date.now() - startedAt;
  await eventually(async () => receiver.firstSuccesses('/fifo').length >= EVENTS, 45_000).catch(() => {
    throw new Error(`${receiver.firstSuccesses('/fifo').length} of ${EVENTS} events arrived; answers ${JSON.stringify(receiver.answers)}`);
  });

  console.log(`fifo (SQLite): ${EVENTS} events published in ${publishedMs} ms, all arrived in ${Date.now() - startedAt} ms; answers ${JSON.stringify(receiver.answers)}`);
  expect(receiver.firstSuccesses('/fifo')).toEqual(published);
  expect(receiver.maxOpen.get('/fifo')).toBe(1);
  // The receiver did fail about a third of the requests, both ways.
  const { ok, fail, hang } = receiver.answers;
  expect(fail).toBeGreaterThan(EVENTS / 10);
  expect(hang).toBeGreaterThan(EVENTS / 50);
  expect((fail + hang) / (ok + fail + hang)).toBeGreaterThan(0.2);
}, 60_000);

it('sends a test event at once while the line is held back by a failing delivery', async () => {
  const tenantId = await createTenant(herald, { retrySchedule: [0, 3600], attemptTimeoutMs: 1000 });
  const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/held`, eventTypes: [TYPE], ordering: 'fifo' });
  receiver.answer = (path) => (path === '/held' ? 'fail' : 'ok');
  await publish(herald, tenantId, TYPE, { n: 1 });
  await publish(herald, tenantId, TYPE, { n: 2 });
  const statuses = async () => {
    const log = await herald.api('GET', `/api/v1/tenants/${tenantId}/deliveries?endpointId=${endpoint.id}`);
    return log.body.data.map((d: { status: string; isTest: boolean }) => [d.status, d.isTest]);
  };
  await eventually(async () => JSON.stringify(await statuses()) === JSON.stringify([['pending', false], ['failed', false]]));

  receiver.answer = () => 'ok';
  const test = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/test`, {});
  expect(test.status).toBe(200);
  expect(test.body).toMatchObject({ success: true, statusCode: 200 });
  // The failed head waits an hour for its retry, and the event behind it waits with it.
  expect(await statuses()).toEqual([
    ['succeeded', true],
    ['pending', false],
    ['failed', false],
  ]);
});
