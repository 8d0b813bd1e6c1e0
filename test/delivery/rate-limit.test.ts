import { beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createTenant, hasStatus, heraldForFile, listDeliveries, publish, receivedOn } from '../support/delivery.js';
import { eventually, type TestHerald } from '../support/herald.js';
import type { Receiver } from '../support/receiver.js';

const TYPE = 'rate.limited';

let herald: TestHerald;
let receiver: Receiver;
const startReceiver = heraldForFile(TYPE, (started) => (herald = started));
beforeAll(async () => {
  receiver = await startReceiver();
});

describe('rateLimitPerSecond', () => {
  it('spreads deliveries over time at the endpoint rate, bursts of at most that many, none failed', async () => {
    const tenantId = await createTenant(herald);
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/limited`, eventTypes: [TYPE], rateLimitPerSecond: 5 });
    const unlimited = await createEndpoint(herald, tenantId, { url: `${receiver.url}/unlimited`, eventTypes: [TYPE] });
    expect(endpoint.rateLimitPerSecond).toBe(5);

    for (let i = 0; i < 15; i++) await publish(herald, tenantId, TYPE, { n: i });
    const arrived = await receivedOn(receiver, '/limited', 15, 20_000);
    const times = arrived.map((r) => r.at).sort((a, b) => a - b);
    // 5 at once, then 5 per second: the last leaves about 2 s after the first (arrival times
    // carry network jitter, and the first request also opens the connection, so allow 0.5 s;
    // without the limit all 15 arrive within a few tens of milliseconds).
    expect(times[14]! - times[0]!).toBeGreaterThanOrEqual(1500);
    // No window of one second holds more than the burst plus what refills in it (less jitter).
    for (let i = 0; i + 10 < times.length; i++) expect(times[i + 10]! - times[i]!).toBeGreaterThanOrEqual(800);

    // The neighbour without a limit is not held back by it.
    await receivedOn(receiver, '/unlimited', 15, 5_000);

    const deliveries = await eventually(async () => {
      const all = await listDeliveries(herald, tenantId, { endpointId: endpoint.id });
      return all.length === 15 && all.every(hasStatus('succeeded')) ? all : null;
    });
    expect(deliveries.every((d) => d.attemptCount === 1)).toBe(true);
    expect(unlimited.id).not.toBe(endpoint.id);
  });
});
