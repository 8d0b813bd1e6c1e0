import { beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, hasStatus, heraldForFile, listDeliveries, publish, uniqueId, waitForDelivery } from '../support/delivery.js';
import type { TestHerald } from '../support/herald.js';
import type { Receiver } from '../support/receiver.js';

const TYPE = 'retention.kept';
const DAY_MS = 86_400_000;

let herald: TestHerald;
let receiver: Receiver;
const startReceiver = heraldForFile(TYPE, (started) => (herald = started));
beforeAll(async () => {
  receiver = await startReceiver();
});

async function tenantKeeping(days: number): Promise<string> {
  const id = uniqueId('r');
  const created = await herald.api('POST', '/api/v1/tenants', { id, name: id, settings: { retentionDays: days } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return id;
}

describe('retention', () => {
  it('a running Herald prunes events, deliveries and attempts past each tenant’s retentionDays', async () => {
    const short = await tenantKeeping(1);
    const long = await tenantKeeping(30);
    for (const tenantId of [short, long]) {
      await createEndpoint(herald, tenantId, { url: `${receiver.url}/retention`, eventTypes: [TYPE] });
      const event = await publish(herald, tenantId, TYPE, { n: 1 });
      const [delivery] = (await listDeliveries(herald, tenantId)).filter((d) => d.eventId === event.id);
      await waitForDelivery(herald, tenantId, delivery!.id, hasStatus('succeeded'));
    }

    // Two days on, the 1-day tenant's event is past retention; the 30-day tenant's is not.
    const pruned = await herald.engine!.pruneNow(new Date(Date.now() + 2 * DAY_MS));
    expect(pruned).toBe(1);

    expect((await herald.api('GET', `/api/v1/tenants/${short}/events`)).body.data).toEqual([]);
    expect(await listDeliveries(herald, short)).toEqual([]);
    expect((await herald.api('GET', `/api/v1/tenants/${long}/events`)).body.data).toHaveLength(1);
    const kept = await listDeliveries(herald, long);
    expect(kept).toHaveLength(1);
    expect((await herald.api('GET', `/api/v1/tenants/${long}/deliveries/${kept[0]!.id}`)).body.attempts).toHaveLength(1);
  });
});
