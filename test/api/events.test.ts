import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { expectError, ISO_TIME, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;

const ORDER_SCHEMA = { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } };

beforeAll(async () => {
  fx = await startApiFixture();
  for (const name of ['chat.message', 'poll.a', 'poll.b']) expect((await fx.api('POST', '/api/v1/event-types', { name })).status).toBe(201);
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'order.created', schema: ORDER_SCHEMA })).status).toBe(201);
  for (const [id, envelope] of [['acme', 'snake'], ['camel-co', 'camel'], ['poller', 'snake'], ['other', 'snake']]) {
    expect((await fx.api('POST', '/api/v1/tenants', { id, name: id, settings: { envelope } })).status).toBe(201);
  }
  expect((await fx.api('POST', '/api/v1/tenants/acme/endpoints', { url: `${fx.receiver.url}/acme`, eventTypes: ['*'] })).status).toBe(201);
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

const publish = (tenant: string, body: Record<string, unknown>) => fx.api('POST', `/api/v1/tenants/${tenant}/events`, body);

async function deliveriesOf(tenant: string, eventId: string): Promise<Array<{ eventId: string }>> {
  const page = await fx.api('GET', `/api/v1/tenants/${tenant}/deliveries?limit=250`);
  expect(page.status).toBe(200);
  return page.body.data.filter((d: { eventId: string }) => d.eventId === eventId);
}

describe('POST …/events (publish)', () => {
  it('answers 202 with the snake envelope', async () => {
    const before = Date.now();
    const published = await publish('acme', { type: 'chat.message', data: { text: 'hi', n: 1 } });
    expect(published.status).toBe(202);
    expect(published.body).toMatchObject({
      id: expect.stringMatching(/^evt_[0-9A-Za-z]+$/),
      type: 'chat.message',
      created_at: expect.stringMatching(ISO_TIME),
      data: { text: 'hi', n: 1 },
    });
    expect(published.body).not.toHaveProperty('createdAt');
    expect(Date.parse(published.body.created_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(published.body.created_at)).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('answers the camel envelope for a camel tenant', async () => {
    const published = await publish('camel-co', { type: 'chat.message', data: { text: 'hi' } });
    expect(published.status).toBe(202);
    expect(published.body).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'chat.message', createdAt: expect.stringMatching(ISO_TIME), data: { text: 'hi' } });
    expect(published.body).not.toHaveProperty('created_at');
  });

  it('accepts any JSON as data: arrays, strings, numbers, null', async () => {
    for (const data of [[1, 2], 'text', 42, null, { nested: { deep: [true] } }]) {
      const published = await publish('acme', { type: 'chat.message', data });
      expect(published.status, JSON.stringify(data)).toBe(202);
      expect(published.body.data).toEqual(data);
    }
  });

  it('refuses an unknown type with 422 and stores nothing', async () => {
    const refused = await publish('poller', { type: 'chat.unknown', data: {} });
    expectError(refused, 422, 'validation_failed');
    expect(refused.body.error.message).toContain('chat.unknown');
    expectError(await publish('poller', { type: 'not a type', data: {} }), 422, 'validation_failed');
    expect((await fx.api('GET', '/api/v1/tenants/poller/events')).body.data).toEqual([]);
  });

  it('refuses data that does not match the type schema with 422 schema_mismatch', async () => {
    const refused = await publish('acme', { type: 'order.created', data: { amount: 'ten' } });
    expectError(refused, 422, 'schema_mismatch');
    expect(refused.body.error.details.length).toBeGreaterThan(0);
    expectError(await publish('acme', { type: 'order.created', data: {} }), 422, 'schema_mismatch');
    expect((await publish('acme', { type: 'order.created', data: { amount: 10 } })).status).toBe(202);
  });

  it('validates against the schema as it stands now, and refuses a type removed from the catalog', async () => {
    expect((await fx.api('POST', '/api/v1/event-types', { name: 'shift.type', schema: { type: 'object', required: ['a'] } })).status).toBe(201);
    expect((await publish('acme', { type: 'shift.type', data: { a: 1 } })).status).toBe(202);
    expect((await fx.api('PATCH', '/api/v1/event-types/shift.type', { schema: { type: 'object', required: ['b'] } })).status).toBe(200);
    expectError(await publish('acme', { type: 'shift.type', data: { a: 1 } }), 422, 'schema_mismatch');
    expect((await publish('acme', { type: 'shift.type', data: { b: 1 } })).status).toBe(202);
    expect((await fx.api('PATCH', '/api/v1/event-types/shift.type', { schema: null })).status).toBe(200);
    expect((await publish('acme', { type: 'shift.type', data: 'anything' })).status).toBe(202);
    expect((await fx.api('DELETE', '/api/v1/event-types/shift.type')).status).toBe(204);
    expectError(await publish('acme', { type: 'shift.type', data: { b: 1 } }), 422, 'validation_failed');
  });

  it('refuses a missing data, a missing type and unknown fields with 422', async () => {
    expectError(await publish('acme', { type: 'chat.message' }), 422, 'validation_failed');
    expectError(await publish('acme', { data: {} }), 422, 'validation_failed');
    expectError(await publish('acme', { type: 'chat.message', data: {}, priority: 'high' }), 422, 'validation_failed');
    expectError(await publish('acme', { type: 'chat.message', data: {}, idempotencyKey: '' }), 422, 'validation_failed');
  });

  it('answers 404 for an unknown tenant', async () => {
    expectError(await publish('nobody', { type: 'chat.message', data: {} }), 404, 'not_found');
  });

  it('answers the first event for a repeated idempotency key, with no second delivery', async () => {
    const first = await publish('acme', { type: 'chat.message', data: { attempt: 1 }, idempotencyKey: 'order-42' });
    expect(first.status).toBe(202);
    await eventually(async () => (await deliveriesOf('acme', first.body.id)).length === 1);

    const repeat = await publish('acme', { type: 'chat.message', data: { attempt: 2 }, idempotencyKey: 'order-42' });
    expect([200, 202]).toContain(repeat.status);
    expect(repeat.body).toEqual(first.body);
    expect(await deliveriesOf('acme', repeat.body.id)).toHaveLength(1);
    const deliveries = await fx.api('GET', '/api/v1/tenants/acme/deliveries?limit=250');
    const events = new Set(deliveries.body.data.map((d: { eventId: string }) => d.eventId));
    const polled = await fx.api('GET', '/api/v1/tenants/acme/events?limit=250');
    expect(polled.body.data.filter((e: { data: unknown }) => JSON.stringify(e.data) === '{"attempt":2}')).toEqual([]);
    expect(events.size).toBe(polled.body.data.length);

    // Concurrent repeats of a new key settle on one event too.
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => publish('acme', { type: 'chat.message', data: { i }, idempotencyKey: 'burst-1' })));
    expect(burst.every((answer) => answer.status === 200 || answer.status === 202)).toBe(true);
    expect(new Set(burst.map((answer) => answer.body.id)).size).toBe(1);
    expect(burst.filter((answer) => answer.status === 202).length).toBeLessThanOrEqual(1);
    await eventually(async () => (await deliveriesOf('acme', burst[0]!.body.id)).length === 1);

    // Keys are per tenant.
    const elsewhere = await publish('other', { type: 'chat.message', data: { attempt: 3 }, idempotencyKey: 'order-42' });
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.body.id).not.toBe(first.body.id);
  });
});

describe('GET …/events (polling)', () => {
  const published: Array<{ id: string; type: string }> = [];

  beforeAll(async () => {
    // Back to back: many of these share a millisecond.
    for (let i = 0; i < 20; i++) {
      const answer = await publish('poller', { type: i % 3 === 0 ? 'poll.b' : 'poll.a', data: { i } });
      expect(answer.status).toBe(202);
      published.push(answer.body);
    }
  });

  it('starts at the oldest event and answers them in publish order, ids sorting the same way', async () => {
    const page = await fx.api('GET', '/api/v1/tenants/poller/events?limit=250');
    expect(page.status).toBe(200);
    expect(page.body.data.map((e: { id: string }) => e.id)).toEqual(published.map((e) => e.id));
    expect(published.map((e) => e.id)).toEqual(published.map((e) => e.id).sort());
    expect(page.body.hasMore).toBe(false);
    expect(typeof page.body.cursor).toBe('string');
  });

  it('answers items that are exactly the wire envelope', async () => {
    const page = await fx.api('GET', '/api/v1/tenants/poller/events?limit=1');
    expect(page.body.data[0]).toEqual({ id: published[0]!.id, type: published[0]!.type, created_at: expect.stringMatching(ISO_TIME), data: { i: 0 } });
    const camel = await fx.api('GET', '/api/v1/tenants/camel-co/events?limit=250');
    expect(camel.body.data.length).toBeGreaterThan(0);
    for (const item of camel.body.data) expect(Object.keys(item).sort()).toEqual(['createdAt', 'data', 'id', 'type']);
  });

  it('pages with after and cursor, with hasMore until the last page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: { status: number; body: { data: Array<{ id: string }>; cursor: string | null; hasMore: boolean } } = await fx.api(
        'GET',
        `/api/v1/tenants/poller/events?limit=6${after ? `&after=${after}` : ''}`,
      );
      expect(page.status).toBe(200);
      pages++;
      seen.push(...page.body.data.map((e) => e.id));
      expect(page.body.cursor).not.toBeNull();
      after = page.body.cursor;
      if (!page.body.hasMore) break;
      expect(page.body.data).toHaveLength(6);
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(published.map((e) => e.id));

    // Past the end: an empty page that answers the cursor it was given.
    const empty = await fx.api('GET', `/api/v1/tenants/poller/events?after=${after}`);
    expect(empty.body).toEqual({ data: [], cursor: after, hasMore: false });

    // A new event shows up after that cursor.
    const next = await publish('poller', { type: 'poll.a', data: { i: 20 } });
    const resumed = await fx.api('GET', `/api/v1/tenants/poller/events?after=${after}`);
    expect(resumed.body.data.map((e: { id: string }) => e.id)).toEqual([next.body.id]);
    published.push(next.body);
  });

  it('filters by type', async () => {
    const page = await fx.api('GET', '/api/v1/tenants/poller/events?type=poll.b&limit=250');
    expect(page.body.data.map((e: { id: string }) => e.id)).toEqual(published.filter((e) => e.type === 'poll.b').map((e) => e.id));
    expect(page.body.data.length).toBeGreaterThan(0);
    const firstTwo = await fx.api('GET', '/api/v1/tenants/poller/events?type=poll.b&limit=2');
    expect(firstTwo.body.hasMore).toBe(true);
    const rest = await fx.api('GET', `/api/v1/tenants/poller/events?type=poll.b&limit=250&after=${firstTwo.body.cursor}`);
    expect([...firstTwo.body.data, ...rest.body.data]).toEqual(page.body.data);
  });

  it('orders events published concurrently by id as well', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => publish('other', { type: 'chat.message', data: { burst: i } })));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const page = await fx.api('GET', '/api/v1/tenants/other/events?limit=250');
    const ids = page.body.data.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(answers.map((a) => a.body.id)));
  });

  it('answers an empty first page for a tenant without events', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'quiet', name: 'Quiet' });
    const page = await fx.api('GET', '/api/v1/tenants/quiet/events');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ data: [], hasMore: false });
    const later = await fx.api('GET', '/api/v1/tenants/quiet/events?after=5');
    expect(later.body).toEqual({ data: [], cursor: '5', hasMore: false });
  });

  it('leaves test sends out of polling', async () => {
    const endpoint = await fx.api('POST', '/api/v1/tenants/quiet/endpoints', { url: `${fx.receiver.url}/quiet`, eventTypes: ['*'] });
    const test = await fx.api('POST', `/api/v1/tenants/quiet/endpoints/${endpoint.body.id}/test`);
    expect(test.status).toBe(200);
    expect(test.body.success).toBe(true);
    expect((await fx.api('GET', '/api/v1/tenants/quiet/events')).body.data).toEqual([]);
  });

  it.each(['abc', '-1', '1.5', '1e3', ''])('refuses after=%j with 422', async (after) => {
    expectError(await fx.api('GET', `/api/v1/tenants/poller/events?after=${after}`), 422, 'validation_failed');
  });

  it('refuses a bad limit and type with 422', async () => {
    expectError(await fx.api('GET', '/api/v1/tenants/poller/events?limit=0'), 422, 'validation_failed');
    expectError(await fx.api('GET', '/api/v1/tenants/poller/events?type=not%20a%20type'), 422, 'validation_failed');
  });
});
