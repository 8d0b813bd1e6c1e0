import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createEndpoint, createTenant, ensureEventType, getEndpoint, listDeliveries, publish } from '../support/delivery.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const TYPE = 'flight.checked';

let herald: TestHerald | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
  herald = receiver = undefined;
});

/**
 * A receiver that holds every request open until told: the requests it holds at once are the
 * requests Herald has in flight to the endpoint. Publishes more events than the cap, watches
 * how many arrive and how many deliveries the log shows as delivering (sent, or leased ahead
 * to go the moment a request ends), then lets them all go and checks every one was delivered.
 */
async function heldAtOnce(overrides: Partial<Config>, events: number, endpointFields: Record<string, unknown> = {}): Promise<{ atOnce: number; delivering: number }> {
  const held: ServerResponse[] = [];
  let most = 0;
  receiver = await Receiver.start((_request, res) => {
    held.push(res);
    most = Math.max(most, held.length);
  });
  herald = await startTestHerald(overrides);
  await ensureEventType(herald, TYPE);
  const tenantId = await createTenant(herald);
  await createEndpoint(herald, tenantId, { url: `${receiver.url}/hook`, eventTypes: [TYPE], ...endpointFields });
  for (let i = 0; i < events; i++) await publish(herald, tenantId, TYPE, { n: i });

  await eventually(async () => held.length > 0);
  // Whatever Herald would send at once has gone by now: claims follow publishes within milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const atOnce = held.length;
  const delivering = (await listDeliveries(herald, tenantId, { limit: '100' })).filter((d) => d.status === 'delivering').length;
  const release = () => held.splice(0).forEach((res) => res.writeHead(200).end('ok'));
  // Answered, the next ones go out; answer them as they come.
  const answering = setInterval(release, 10);
  try {
    const target = herald;
    await eventually(async () => {
      const deliveries = await listDeliveries(target, tenantId, { limit: '100' });
      return deliveries.length === events && deliveries.every((d) => d.status === 'succeeded');
    }, 20_000);
  } finally {
    clearInterval(answering);
    release();
  }
  expect(most).toBe(atOnce);
  return { atOnce, delivering };
}

/**
 * Ten events to an endpoint with a cap of two and a receiver that holds every request until
 * told (or answers 200 once `answerFromNowOn` is called): answers once two requests are held and
 * four more deliveries are leased ahead behind them (two caps: the lease of 10 s + 60 s covers two waits).
 */
async function twoSentFourAhead() {
  const held: ServerResponse[] = [];
  let holding = true;
  receiver = await Receiver.start((_request, res) => {
    if (holding) held.push(res);
    else res.writeHead(200).end('ok');
  });
  const target = (herald = await startTestHerald());
  await ensureEventType(target, TYPE);
  const tenantId = await createTenant(target);
  const endpoint = await createEndpoint(target, tenantId, { url: `${receiver.url}/hook`, eventTypes: [TYPE], maxInFlight: 2 });
  for (let i = 0; i < 10; i++) await publish(target, tenantId, TYPE, { n: i });
  const statuses = async () => (await listDeliveries(target, tenantId, { limit: '100' })).map((d) => d.status);
  await eventually(async () => held.length === 2 && (await statuses()).filter((s) => s === 'delivering').length === 6);
  return { tenantId, endpointId: endpoint.id, held, statuses, answerFromNowOn: () => (holding = false) };
}

describe('requests in flight to one endpoint', () => {
  it('are at most 16 by default, however many deliveries wait', async () => {
    expect(await heldAtOnce({}, 60)).toEqual({ atOnce: 16, delivering: 48 });
  });

  it('are at most what the operator configures (HERALD_MAX_IN_FLIGHT_PER_ENDPOINT)', async () => {
    expect(await heldAtOnce({ maxInFlightPerEndpoint: 3 }, 12)).toEqual({ atOnce: 3, delivering: 9 });
  });

  it('are at most the endpoint’s own maxInFlight when it has one', async () => {
    expect(await heldAtOnce({}, 10, { maxInFlight: 2 })).toEqual({ atOnce: 2, delivering: 6 });
  });

  it('are not followed by what was leased ahead once a 410 Gone disables the endpoint: that waits for it to be enabled', async () => {
    const { tenantId, endpointId, held, statuses, answerFromNowOn } = await twoSentFourAhead();
    held.splice(0).forEach((res) => res.writeHead(410).end('gone'));
    await eventually(async () => (await getEndpoint(herald!, tenantId, endpointId)).status === 'disabled');
    // The four leased ahead were handed back, not sent: nothing is delivering, and nothing more arrives.
    await eventually(async () => !(await statuses()).includes('delivering'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver!.received).toHaveLength(2);
    expect((await statuses()).filter((s) => s === 'pending')).toHaveLength(8);

    answerFromNowOn();
    expect((await herald!.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpointId}/enable`)).status).toBe(200);
    await eventually(async () => (await statuses()).filter((s) => s === 'succeeded').length === 8);
  });

  it('are not followed by what was leased ahead once the endpoint is disabled through the API', async () => {
    const { tenantId, endpointId, held, statuses } = await twoSentFourAhead();
    expect((await herald!.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpointId}/disable`)).status).toBe(200);
    // The four leased ahead go back to the queue; the two in flight end as they would have.
    await eventually(async () => (await statuses()).filter((s) => s === 'delivering').length === 2);
    held.splice(0).forEach((res) => res.writeHead(200).end('ok'));
    await eventually(async () => !(await statuses()).includes('delivering'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver!.received).toHaveLength(2);
    expect((await statuses()).sort()).toEqual([...Array(8).fill('pending'), 'succeeded', 'succeeded']);
  });

  it('are at most the cap even when a wait and an attempt could outlast a lease: then nothing is leased ahead', async () => {
    // Attempts time out after 10 s by default; a grace of 5 s leaves no room to wait for a slot.
    expect(await heldAtOnce({ leaseGraceMs: 5000 }, 10, { maxInFlight: 2 })).toEqual({ atOnce: 2, delivering: 2 });
  });
});
