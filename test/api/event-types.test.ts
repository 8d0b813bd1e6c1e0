import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError, ISO_TIME, readAllPages, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

const ORDER_SCHEMA = { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } };

describe('POST /api/v1/event-types', () => {
  it('creates an event type and answers 201 with it', async () => {
    const created = await fx.api('POST', '/api/v1/event-types', { name: 'chat.message', description: 'A message arrived', example: { text: 'hi' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'chat.message',
      description: 'A message arrived',
      schema: null,
      example: { text: 'hi' },
      deprecated: false,
      createdAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
    });
  });

  it('accepts dotted names of any depth and a JSON Schema', async () => {
    const created = await fx.api('POST', '/api/v1/event-types', { name: 'user.message.received', schema: ORDER_SCHEMA, deprecated: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'user.message.received', description: '', schema: ORDER_SCHEMA, deprecated: true });
  });

  it('answers 409 conflict for a name that exists, and keeps the first', async () => {
    await fx.api('POST', '/api/v1/event-types', { name: 'dup.thing', description: 'first' });
    expectError(await fx.api('POST', '/api/v1/event-types', { name: 'dup.thing', description: 'second' }), 409, 'conflict');
    expect((await fx.api('GET', '/api/v1/event-types/dup.thing')).body.description).toBe('first');
  });

  it.each(['', 'chat..message', '.chat', 'chat.', 'chat message', 'chat.*', '*', 'chat/message', 'a'.repeat(129)])(
    'answers 422 for the invalid name %j',
    async (name) => {
      expectError(await fx.api('POST', '/api/v1/event-types', { name }), 422, 'validation_failed');
    },
  );

  it('answers 422 without a name, or with an unknown field', async () => {
    expectError(await fx.api('POST', '/api/v1/event-types', { description: 'no name' }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/event-types', { name: 'extra.field', color: 'red' }), 422, 'validation_failed');
  });

  it.each([{ type: 'nope' }, { properties: 5 }, { required: 'amount' }, { minimum: 'one' }])(
    'answers 422 for the invalid JSON Schema %j and stores nothing',
    async (schema) => {
      const answer = await fx.api('POST', '/api/v1/event-types', { name: 'bad.schema', schema });
      expectError(answer, 422, 'validation_failed');
      expectError(await fx.api('GET', '/api/v1/event-types/bad.schema'), 404, 'not_found');
    },
  );
});

describe('GET /api/v1/event-types', () => {
  it('gets one by name, and 404 for an unknown name', async () => {
    await fx.api('POST', '/api/v1/event-types', { name: 'get.me', description: 'Get me', example: [1, 2] });
    const got = await fx.api('GET', '/api/v1/event-types/get.me');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: 'get.me', description: 'Get me', schema: null, example: [1, 2], deprecated: false });
    expectError(await fx.api('GET', '/api/v1/event-types/no.such.type'), 404, 'not_found');
  });

  it('has the built-in quota.warning, quota.exceeded and webhook.test, which cannot be deleted', async () => {
    for (const name of ['quota.warning', 'quota.exceeded', 'webhook.test']) {
      const got = await fx.api('GET', `/api/v1/event-types/${name}`);
      expect(got.status, name).toBe(200);
      expect(got.body.name).toBe(name);
      expect(got.body.example).not.toBeNull();
      expectError(await fx.api('DELETE', `/api/v1/event-types/${name}`), 409, 'conflict');
      expect((await fx.api('GET', `/api/v1/event-types/${name}`)).status).toBe(200);
    }
  });

  it('lists the catalog in pages with limit and cursor, each item once', async () => {
    for (let i = 0; i < 7; i++) await fx.api('POST', '/api/v1/event-types', { name: `page.type${i}` });
    const whole = await fx.api('GET', '/api/v1/event-types?limit=250');
    expect(whole.status).toBe(200);
    expect(whole.body.nextCursor).toBeNull();
    const names = whole.body.data.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['quota.warning', 'quota.exceeded', 'webhook.test', 'page.type0', 'page.type6']));

    const first = await fx.api('GET', '/api/v1/event-types?limit=3');
    expect(first.body.data).toHaveLength(3);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await fx.api('GET', `/api/v1/event-types?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.data).toHaveLength(3);
    expect(second.body.data[0].name).not.toBe(first.body.data[2].name);

    const { items, pages } = await readAllPages(fx, '/api/v1/event-types', 2);
    expect(items.map((t: { name: string }) => t.name)).toEqual(names);
    expect(pages).toBe(Math.ceil(names.length / 2));
  });

  it('defaults to pages of 50', async () => {
    for (let i = 0; i < 50; i++) await fx.api('POST', '/api/v1/event-types', { name: `bulk.type${String(i).padStart(2, '0')}` });
    const page = await fx.api('GET', '/api/v1/event-types');
    expect(page.body.data).toHaveLength(50);
    expect(page.body.nextCursor).not.toBeNull();
  });
});

describe('PATCH /api/v1/event-types/:name', () => {
  it('changes description, schema, example and deprecated, and keeps the name', async () => {
    const created = await fx.api('POST', '/api/v1/event-types', { name: 'order.created', description: 'old' });
    const patched = await fx.api('PATCH', '/api/v1/event-types/order.created', {
      description: 'An order was created',
      schema: ORDER_SCHEMA,
      example: { amount: 10 },
      deprecated: true,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'order.created', description: 'An order was created', schema: ORDER_SCHEMA, example: { amount: 10 }, deprecated: true });
    expect(patched.body.createdAt).toBe(created.body.createdAt);
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
    expect((await fx.api('GET', '/api/v1/event-types/order.created')).body).toEqual(patched.body);

    const partial = await fx.api('PATCH', '/api/v1/event-types/order.created', { deprecated: false });
    expect(partial.body).toMatchObject({ description: 'An order was created', schema: ORDER_SCHEMA, deprecated: false });

    const cleared = await fx.api('PATCH', '/api/v1/event-types/order.created', { schema: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.schema).toBeNull();
  });

  it('refuses an invalid schema, a name change and unknown fields with 422, changing nothing', async () => {
    await fx.api('POST', '/api/v1/event-types', { name: 'keep.me', description: 'kept', schema: ORDER_SCHEMA });
    expectError(await fx.api('PATCH', '/api/v1/event-types/keep.me', { schema: { type: 'nope' } }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', '/api/v1/event-types/keep.me', { name: 'renamed' }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', '/api/v1/event-types/keep.me', { deprecated: 'sometimes' }), 422, 'validation_failed');
    expect((await fx.api('GET', '/api/v1/event-types/keep.me')).body).toMatchObject({ description: 'kept', schema: ORDER_SCHEMA, deprecated: false });
  });

  it('answers 404 for an unknown name', async () => {
    expectError(await fx.api('PATCH', '/api/v1/event-types/no.such.type', { description: 'x' }), 404, 'not_found');
  });
});

describe('DELETE /api/v1/event-types/:name', () => {
  it('answers 204 with no body, then 404', async () => {
    await fx.api('POST', '/api/v1/event-types', { name: 'delete.me' });
    const deleted = await fx.api('DELETE', '/api/v1/event-types/delete.me');
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expectError(await fx.api('GET', '/api/v1/event-types/delete.me'), 404, 'not_found');
    expectError(await fx.api('DELETE', '/api/v1/event-types/delete.me'), 404, 'not_found');
    const list = await fx.api('GET', '/api/v1/event-types?limit=250');
    expect(list.body.data.map((t: { name: string }) => t.name)).not.toContain('delete.me');
  });
});
