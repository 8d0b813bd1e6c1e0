import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/api.js';
import { createEndpoint, ensureEventType, eventIdOf, pathOf, publish, receivedOn, uniqueId } from '../support/delivery.js';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const TYPE = 'usage.counted';

let herald: TestHerald;
let receiver: Receiver;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start();
  await ensureEventType(herald, TYPE, { n: 0 });
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

async function tenantWithQuota(limit: number, period: 'day' | 'month'): Promise<string> {
  const id = uniqueId('q');
  const created = await herald.api('POST', '/api/v1/tenants', { id, name: id, settings: { eventQuota: { limit, period } } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return id;
}

const pollTypes = async (tenantId: string) => {
  const page = await herald.api('GET', `/api/v1/tenants/${tenantId}/events?limit=250`);
  expect(page.status).toBe(200);
  return (page.body.data as Array<{ type: string; data: any }>).map((e) => e.type);
};

describe('tenant event quota', () => {
  it('answers 429 quota_exceeded past the limit and stores nothing', async () => {
    const tenantId = await tenantWithQuota(3, 'day');
    await createEndpoint(herald, tenantId, { url: `${receiver.url}/quota-refused`, eventTypes: [TYPE] });
    for (let i = 0; i < 3; i++) await publish(herald, tenantId, TYPE, { n: i });
    const refused = await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type: TYPE, data: { n: 3 } });
    expectError(refused, 429, 'quota_exceeded');
    expect((await pollTypes(tenantId)).filter((t) => t === TYPE)).toHaveLength(3);
    const log = await herald.api('GET', `/api/v1/tenants/${tenantId}/deliveries?limit=250&eventType=${TYPE}`);
    expect(log.body.data).toHaveLength(3);
  });

  it('publishes quota.warning at 80 % and quota.exceeded at 100 %, once each, to subscribed endpoints and polling', async () => {
    const tenantId = await tenantWithQuota(5, 'month');
    await createEndpoint(herald, tenantId, { url: `${receiver.url}/quota-ops`, eventTypes: ['quota.*'] });
    for (let i = 0; i < 5; i++) await publish(herald, tenantId, TYPE, { n: i });
    for (let i = 0; i < 2; i++) expect((await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type: TYPE, data: {} })).status).toBe(429);

    const arrived = await receivedOn(receiver, '/quota-ops', 2);
    const bodies = arrived.map((r) => JSON.parse(r.body) as { type: string; data: any });
    expect(bodies.map((b) => b.type).sort()).toEqual(['quota.exceeded', 'quota.warning']);
    expect(bodies.find((b) => b.type === 'quota.warning')!.data).toMatchObject({ limit: 5, used: 4, period: 'month' });
    expect(bodies.find((b) => b.type === 'quota.exceeded')!.data).toMatchObject({ limit: 5, used: 5, period: 'month' });

    const types = await pollTypes(tenantId);
    expect(types.filter((t) => t === 'quota.warning')).toHaveLength(1);
    expect(types.filter((t) => t === 'quota.exceeded')).toHaveLength(1);
    expect(types.filter((t) => t === TYPE)).toHaveLength(5);
    // Nothing more arrives for the refused publishes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.filter((r) => pathOf(r) === '/quota-ops')).toHaveLength(2);
    expect(new Set(arrived.map(eventIdOf)).size).toBe(2);
  });

  it('does not count test sends nor repeated idempotent publishes', async () => {
    const tenantId = await tenantWithQuota(2, 'day');
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/quota-tests`, eventTypes: [TYPE] });
    for (let i = 0; i < 3; i++) {
      const sent = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/test`, {});
      expect(sent.status).toBe(200);
    }
    await publish(herald, tenantId, TYPE, { n: 1 }, 'same-key');
    await publish(herald, tenantId, TYPE, { n: 1 }, 'same-key');
    await publish(herald, tenantId, TYPE, { n: 2 });
    expectError(await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type: TYPE, data: {} }), 429, 'quota_exceeded');
  });
});
