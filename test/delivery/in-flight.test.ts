import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createEndpoint, createTenant, ensureEventType, listDeliveries, publish } from '../support/delivery.js';
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
 * how many arrive, then lets them all go and checks every one was delivered.
 */
async function heldAtOnce(overrides: Partial<Config>, events: number, endpointFields: Record<string, unknown> = {}): Promise<number> {
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
  return atOnce;
}

describe('requests in flight to one endpoint', () => {
  it('are at most 16 by default, however many deliveries wait', async () => {
    expect(await heldAtOnce({}, 40)).toBe(16);
  });

  it('are at most what the operator configures (HERALD_MAX_IN_FLIGHT_PER_ENDPOINT)', async () => {
    expect(await heldAtOnce({ maxInFlightPerEndpoint: 3 }, 10)).toBe(3);
  });

  it('are at most the endpoint’s own maxInFlight when it has one', async () => {
    expect(await heldAtOnce({}, 10, { maxInFlight: 2 })).toBe(2);
  });
});
