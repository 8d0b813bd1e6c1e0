import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../../src/client/sse.js';
import { expectError, startApiFixture, type ApiFixture } from '../support/api.js';
import { ADMIN_TOKEN } from '../support/herald.js';
import type { Received } from '../support/receiver.js';

/**
 * `POST /api/v1/tenants/:tid/events/batch` as the brief's "Publishing in batches" says: all or
 * nothing, request order, consecutive polling positions, idempotency per event, the quota for
 * the batch as a whole, and no publishing with a portal token. Deliveries go to a real
 * receiver on loopback.
 */

let fx: ApiFixture;
let tenantSeq = 0;

const TOTAL_SCHEMA = { type: 'object', required: ['total'], properties: { total: { type: 'number' } } };

beforeAll(async () => {
  fx = await startApiFixture();
  for (const name of ['chat.message', 'chat.closed']) expect((await fx.api('POST', '/api/v1/event-types', { name })).status).toBe(201);
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'order.paid', schema: TOTAL_SCHEMA })).status).toBe(201);
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

async function newTenant(settings: Record<string, unknown> = {}): Promise<string> {
  const id = `batch-${++tenantSeq}`;
  const created = await fx.api('POST', '/api/v1/tenants', { id, name: id, settings: { retrySchedule: [0], ...settings } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return id;
}

async function newEndpoint(tid: string, path: string, body: Record<string, unknown> = {}): Promise<string> {
  const created = await fx.api('POST', `/api/v1/tenants/${tid}/endpoints`, { url: `${fx.receiver.url}${path}`, eventTypes: ['*'], ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

const batch = (tid: string, events: unknown[], token?: string) => fx.api('POST', `/api/v1/tenants/${tid}/events/batch`, { events }, token);
const publish = (tid: string, body: unknown) => fx.api('POST', `/api/v1/tenants/${tid}/events`, body);

async function polled(tid: string): Promise<Array<{ id: string; type: string; data: any }>> {
  const page = await fx.api('GET', `/api/v1/tenants/${tid}/events?limit=250`);
  expect(page.status).toBe(200);
  return page.body.data;
}

const arrivedAt = (path: string): Array<{ id: string; data: any }> =>
  fx.receiver.received.filter((r: Received) => r.url === path).map((r) => JSON.parse(r.body));

/** Waits until `eventId` has reached `path`: everything published before it had its chance too. */
async function waitForArrival(path: string, eventId: string): Promise<void> {
  for (let count = fx.receiver.received.length + 1; !arrivedAt(path).some((e) => e.id === eventId); count++) await fx.receiver.waitFor(count);
}

describe('POST …/events/batch', () => {
  it('answers 202 with the envelopes in request order, polls them in that order, and delivers them by subscription and filter', async () => {
    const tid = await newTenant();
    await newEndpoint(tid, '/all');
    await newEndpoint(tid, '/whatsapp', { eventTypes: ['chat.message'], filter: { 'data.channel': 'whatsapp' } });
    const events = [
      { type: 'chat.message', data: { n: 0, channel: 'whatsapp' } },
      { type: 'chat.closed', data: { n: 1 } },
      { type: 'chat.message', data: { n: 2, channel: 'sms' } },
      { type: 'order.paid', data: { n: 3, total: 10 } },
      { type: 'chat.message', data: { n: 4, channel: 'whatsapp' } },
    ];
    const answer = await batch(tid, events);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body.data).toHaveLength(5);
    answer.body.data.forEach((envelope: any, i: number) => {
      expect(Object.keys(envelope)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(envelope).toMatchObject({ id: expect.stringMatching(/^evt_/), type: events[i]!.type, data: events[i]!.data });
    });
    const ids = answer.body.data.map((e: { id: string }) => e.id);
    expect([...ids].sort()).toEqual(ids);

    expect((await polled(tid)).map((e) => e.id)).toEqual(ids);
    await waitForArrival('/all', ids[4]);
    await waitForArrival('/whatsapp', ids[4]);
    expect(arrivedAt('/all').map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(arrivedAt('/whatsapp').map((e) => e.id).sort()).toEqual([ids[0], ids[4]].sort());
    // What arrives is the envelope the batch answered.
    expect(arrivedAt('/all').find((e) => e.id === ids[3])).toEqual(answer.body.data[3]);
  });

  it('answers the camel envelope for a camel tenant', async () => {
    const tid = await newTenant({ envelope: 'camel' });
    const answer = await batch(tid, [{ type: 'chat.message', data: {} }]);
    expect(answer.status).toBe(202);
    expect(Object.keys(answer.body.data[0])).toEqual(['id', 'type', 'createdAt', 'data']);
  });

  it("gives a batch's events consecutive polling positions while single publishes run beside it", async () => {
    const tid = await newTenant();
    const events = Array.from({ length: 100 }, (_, n) => ({ type: 'chat.message', data: { n } }));
    const singles = Array.from({ length: 20 }, (_, n) => publish(tid, { type: 'chat.closed', data: { n } }));
    const [answer, ...others] = await Promise.all([batch(tid, events), ...singles]);
    expect(answer!.status).toBe(202);
    expect(others.every((o) => o.status === 202)).toBe(true);
    const order = (await polled(tid)).map((e) => e.id);
    expect(order).toHaveLength(120);
    const ids = answer!.body.data.map((e: { id: string }) => e.id);
    const start = order.indexOf(ids[0]);
    expect(order.slice(start, start + 100)).toEqual(ids);
  });

  it("streams a batch's events to an open event stream, in request order", async () => {
    const tid = await newTenant();
    const controller = new AbortController();
    const response = await fetch(`${fx.herald.url}/api/v1/tenants/${tid}/events/stream`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    const stream = readServerSentEvents(response.body!);
    expect((await stream.next()).value?.event).toBe('ready');
    const answer = await batch(tid, Array.from({ length: 30 }, (_, n) => ({ type: 'chat.message', data: { n } })));
    expect(answer.status).toBe(202);
    const streamed: unknown[] = [];
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      while (streamed.length < 30) streamed.push(JSON.parse((await stream.next()).value!.data));
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    expect(streamed).toEqual(answer.body.data);
  });

  it('counts the events it created in the metrics', async () => {
    const tid = await newTenant();
    const count = async () => Number(/^herald_events_published_total (\d+)/m.exec((await fx.raw('GET', '/metrics')).text)?.[1] ?? 0);
    const before = await count();
    expect((await batch(tid, [{ type: 'chat.message', data: {} }, { type: 'chat.message', data: {}, idempotencyKey: 'm-1' }])).status).toBe(202);
    expect((await batch(tid, [{ type: 'chat.message', data: {}, idempotencyKey: 'm-1' }])).status).toBe(202);
    expect((await count()) - before).toBe(2);
  });
});

describe('all or nothing', () => {
  it('refuses the whole batch for one unknown type: 422 naming the event, nothing polled, nothing delivered', async () => {
    const tid = await newTenant();
    await newEndpoint(tid, '/atomic');
    const events = Array.from({ length: 5 }, (_, n) => ({ type: 'chat.message', data: { n, from: 'refused batch' } }));
    events[3] = { type: 'chat.nope', data: { n: 3, from: 'refused batch' } };
    const refused = await batch(tid, events);
    expectError(refused, 422, 'validation_failed');
    expect(refused.body.error.details[0]).toMatchObject({ path: '/events/3/type', value: 'chat.nope' });
    expect(refused.body.error.message).toContain('chat.nope');
    expect(await polled(tid)).toEqual([]);

    // A later event arrives; nothing of the refused batch came before it.
    const marker = await publish(tid, { type: 'chat.message', data: { marker: true } });
    await waitForArrival('/atomic', marker.body.id);
    expect(arrivedAt('/atomic').map((e) => e.data)).toEqual([{ marker: true }]);
  });

  it('answers schema_mismatch with the path into the offending event', async () => {
    const tid = await newTenant();
    const refused = await batch(tid, [
      { type: 'order.paid', data: { total: 1 } },
      { type: 'order.paid', data: { total: 2 } },
      { type: 'order.paid', data: { total: 'three' } },
    ]);
    expectError(refused, 422, 'schema_mismatch');
    expect(refused.body.error.details[0].path).toBe('/events/2/data/total');
    expect(await polled(tid)).toEqual([]);
  });

  it('answers 422 with the path for a malformed event: missing data, unknown field, empty idempotency key', async () => {
    const tid = await newTenant();
    const good = { type: 'chat.message', data: {} };
    const cases: Array<[unknown, string]> = [
      [{ type: 'chat.message' }, '/events/1/data'],
      [{ data: {} }, '/events/1/type'],
      [{ ...good, extra: 1 }, '/events/1'],
      [{ ...good, idempotencyKey: '' }, '/events/1/idempotencyKey'],
      ['not an object', '/events/1'],
    ];
    for (const [bad, path] of cases) {
      const refused = await batch(tid, [good, bad, good]);
      expectError(refused, 422, 'validation_failed');
      expect(refused.body.error.details[0].path, JSON.stringify(bad)).toBe(path);
    }
    expectError(await fx.api('POST', `/api/v1/tenants/${tid}/events/batch`, { events: [good], more: 1 }), 422, 'validation_failed');
    expectError(await fx.api('POST', `/api/v1/tenants/${tid}/events/batch`, [good]), 422, 'validation_failed');
    expect(await polled(tid)).toEqual([]);
  });

  it('takes 1 to 1,000 events: 0 and 1,001 answer 422, 1,000 is accepted', async () => {
    const tid = await newTenant();
    const empty = await batch(tid, []);
    expectError(empty, 422, 'validation_failed');
    expect(empty.body.error.details[0].path).toBe('/events');
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'chat.message', data: { i } }));
    const over = await batch(tid, events(1001));
    expectError(over, 422, 'validation_failed');
    expect(over.body.error.details[0].path).toBe('/events');
    expect(await polled(tid)).toEqual([]);

    const full = await batch(tid, events(1000));
    expect(full.status).toBe(202);
    expect(full.body.data.map((e: { data: { i: number } }) => e.data.i)).toEqual(events(1000).map((e) => e.data.i));
  });

  it('answers 413 for a batch over the body limit', async () => {
    const tid = await newTenant();
    const big = 'x'.repeat(2000);
    const refused = await batch(tid, Array.from({ length: 600 }, () => ({ type: 'chat.message', data: { big } })));
    expectError(refused, 413, 'payload_too_large');
    expect(await polled(tid)).toEqual([]);
  });
});

describe('idempotency', () => {
  it('answers the first event in the slot of a key repeated within a batch and across batches, with one delivery each', async () => {
    const tid = await newTenant();
    await newEndpoint(tid, '/idem');
    const first = await batch(tid, [
      { type: 'chat.message', data: { v: 'a1' }, idempotencyKey: 'a' },
      { type: 'chat.message', data: { v: 'b1' }, idempotencyKey: 'b' },
      { type: 'chat.message', data: { v: 'a2' }, idempotencyKey: 'a' },
      { type: 'chat.message', data: { v: 'none' } },
    ]);
    expect(first.status).toBe(202);
    const [a1, b1, a2, none] = first.body.data;
    expect(a2).toEqual(a1);
    expect(new Set([a1.id, b1.id, none.id]).size).toBe(3);

    const second = await batch(tid, [
      { type: 'chat.message', data: { v: 'c1' }, idempotencyKey: 'c' },
      { type: 'chat.message', data: { v: 'b2' }, idempotencyKey: 'b' },
    ]);
    expect(second.status).toBe(202);
    expect(second.body.data[1]).toEqual(b1);
    const single = await publish(tid, { type: 'chat.message', data: { v: 'c2' }, idempotencyKey: 'c' });
    expect([200, 202]).toContain(single.status);
    expect(single.body).toEqual(second.body.data[0]);

    const values = (await polled(tid)).map((e) => e.data.v);
    expect(values).toEqual(['a1', 'b1', 'none', 'c1']);
    await waitForArrival('/idem', second.body.data[0].id);
    const marker = await publish(tid, { type: 'chat.message', data: { v: 'marker' } });
    await waitForArrival('/idem', marker.body.id);
    expect(arrivedAt('/idem').map((e) => e.data.v).sort()).toEqual(['a1', 'b1', 'c1', 'marker', 'none']);
  });
});

describe('quota', () => {
  it('refuses a batch that would pass the quota with 429, storing nothing, and sends each notice once', async () => {
    const tid = await newTenant({ eventQuota: { limit: 5, period: 'day' } });
    await newEndpoint(tid, '/quota-ops', { eventTypes: ['quota.*'] });
    const events = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ type: 'chat.message', data: { tag, i } }));
    expect((await batch(tid, events(3, 'first'))).status).toBe(202);
    expectError(await batch(tid, events(3, 'refused')), 429, 'quota_exceeded');
    expect((await polled(tid)).map((e) => e.data?.tag)).toEqual(['first', 'first', 'first']);

    // 3 → 5 crosses both 80 % (4) and 100 % (5) in one batch.
    expect((await batch(tid, events(2, 'last'))).status).toBe(202);
    expectError(await batch(tid, events(1, 'over')), 429, 'quota_exceeded');
    for (let count = fx.receiver.received.length + 1; arrivedAt('/quota-ops').length < 2; count++) await fx.receiver.waitFor(count);
    const notices = arrivedAt('/quota-ops') as Array<{ id: string; data: any; type?: string }>;
    const types = (await polled(tid)).filter((e) => e.type.startsWith('quota.'));
    expect(types.map((e) => e.type).sort()).toEqual(['quota.exceeded', 'quota.warning']);
    expect(notices.map((n) => n.data)).toEqual([
      expect.objectContaining({ limit: 5, used: 5, period: 'day' }),
      expect.objectContaining({ limit: 5, used: 5, period: 'day' }),
    ]);
    const tags = (await polled(tid)).filter((e) => e.type === 'chat.message').map((e) => e.data.tag);
    expect(tags).toEqual(['first', 'first', 'first', 'last', 'last']);
  });
});

describe('who may publish', () => {
  it('refuses a portal token with 403 before reading the batch; a tenant API key publishes', async () => {
    const tid = await newTenant();
    const portal = (await fx.api('POST', `/api/v1/tenants/${tid}/portal-token`)).body.token;
    const key = (await fx.api('POST', `/api/v1/tenants/${tid}/api-keys`)).body.key;
    expectError(await batch(tid, [{ type: 'chat.message', data: {} }], portal), 403, 'forbidden');
    expectError(await batch(tid, [], portal), 403, 'forbidden');
    expectError(await fx.raw('POST', `/api/v1/tenants/${tid}/events/batch`, { body: '{"events":[', contentType: 'application/json', token: portal }), 403, 'forbidden');
    expect(await polled(tid)).toEqual([]);
    expect((await batch(tid, [{ type: 'chat.message', data: {} }], key)).status).toBe(202);
    expectError(await batch('someone-else', [{ type: 'chat.message', data: {} }], key), 404, 'not_found');
  });
});
