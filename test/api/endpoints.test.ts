import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError, ISO_TIME, readAllPages, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
let hook: string;
const base = '/api/v1/tenants/acme/endpoints';

beforeAll(async () => {
  fx = await startApiFixture();
  hook = `${fx.receiver.url}/hook`;
  for (const name of ['chat.message', 'chat.response', 'user.message.received']) {
    expect((await fx.api('POST', '/api/v1/event-types', { name })).status).toBe(201);
  }
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'globex', name: 'Globex' })).status).toBe(201);
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

const create = (body: Record<string, unknown>, path = base) => fx.api('POST', path, { url: hook, eventTypes: ['chat.message'], ...body });

/** A generated secret: `whsec_` + base64 of 24 random bytes. */
function expectGeneratedSecret(secret: unknown): void {
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  expect(Buffer.from((secret as string).slice('whsec_'.length), 'base64')).toHaveLength(24);
}

describe('POST …/endpoints', () => {
  it('creates an endpoint and answers 201 with it and a generated secret', async () => {
    const created = await create({ description: 'Main hook' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ep_/),
      tenantId: 'acme',
      url: hook,
      description: 'Main hook',
      eventTypes: ['chat.message'],
      filter: null,
      status: 'active',
      disabledReason: null,
      consecutiveFailures: 0,
      headers: {},
      rateLimitPerSecond: null,
      maxInFlight: null,
      ordering: 'unordered',
      signature: null,
      signed: true,
      createdAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
    });
    expectGeneratedSecret(created.body.secret);
    expect((await create({})).body.secret).not.toBe(created.body.secret);
  });

  it('shows the secret in the create answer only', async () => {
    const created = await create({});
    const { secret, ...rest } = created.body;
    const got = await fx.api('GET', `${base}/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.body).toEqual(rest);
    const { items } = await readAllPages(fx, base, 250);
    const listed = items.find((e: { id: string }) => e.id === created.body.id);
    expect(listed).toEqual(rest);
    for (const answer of [got, await fx.api('GET', `${base}?limit=250`), await fx.api('GET', '/api/v1/tenants/acme/audit-log?limit=250')]) {
      expect(JSON.stringify(answer.body)).not.toContain(secret);
      expect(JSON.stringify(answer.body)).not.toContain(secret.slice('whsec_'.length));
    }
  });

  it("keeps a customer's own secret exactly as given", async () => {
    const own = await create({ secret: 'my-existing-secret-1234' });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ secret: 'my-existing-secret-1234', signed: true });
    const whsec = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect((await create({ secret: whsec })).body.secret).toBe(whsec);
  });

  it('refuses a whsec_ secret that is not base64, and a secret under 8 characters', async () => {
    expectError(await create({ secret: 'whsec_not*base64!' }), 422, 'validation_failed');
    expectError(await create({ secret: 'short' }), 422, 'validation_failed');
  });

  it('creates an unsigned endpoint for `secret: null`', async () => {
    const unsigned = await create({ secret: null });
    expect(unsigned.status).toBe(201);
    expect(unsigned.body).toMatchObject({ secret: null, signed: false });
    expect((await fx.api('GET', `${base}/${unsigned.body.id}`)).body.signed).toBe(false);
  });

  it.each([[['*']], [['chat.*']], [['chat.message', 'user.message.received']], [['user.*']], [['user.message.*']], [['billing.*']]])(
    'subscribes with the patterns %j',
    async (eventTypes) => {
      const created = await create({ eventTypes });
      expect(created.status).toBe(201);
      expect(created.body.eventTypes).toEqual(eventTypes);
    },
  );

  it('refuses an unknown exact event type with 422 naming it', async () => {
    const refused = await create({ eventTypes: ['chat.message', 'chat.unknown'] });
    expectError(refused, 422, 'validation_failed');
    expect(JSON.stringify(refused.body.error)).toContain('chat.unknown');
  });

  it.each([[[]], [['*.message']], [['chat.*.x']], [['chat..message']], [[7]], ['chat.message']])('refuses the eventTypes %j with 422', async (eventTypes) => {
    expectError(await create({ eventTypes }), 422, 'validation_failed');
  });

  it('stores a valid filter as given', async () => {
    const filter = { 'data.channel': { $in: ['whatsapp', 'sms'] }, 'data.count': { $gte: 2 }, type: 'chat.message', 'data.vip': { $exists: true } };
    const created = await create({ filter });
    expect(created.status).toBe(201);
    expect(created.body.filter).toEqual(filter);
  });

  it.each([
    [{ 'data.channel': { $regex: 'what' } }, 'data.channel'],
    [{ 'data.channel': { $in: 'whatsapp' } }, 'data.channel'],
    [{ 'data.flag': { $exists: 'yes' } }, 'data.flag'],
    [{ 'data..x': 1 }, 'data..x'],
    [{ $where: 'true' }, '$where'],
  ])('refuses the filter %j with 422 naming %s', async (filter, path) => {
    const refused = await create({ filter });
    expectError(refused, 422, 'validation_failed');
    expect(refused.body.error.message).toContain(path);
  });

  it.each(['webhook-signature', 'Webhook-Id', 'Content-Type', 'content-length', 'User-Agent', 'Host', 'X-Hub-Signature-256', 'X-Acme-Signature', 'Mobieus-Event-Id'])(
    'refuses the reserved header %s with 422',
    async (name) => {
      const refused = await create({ headers: { [name]: 'x' } });
      expectError(refused, 422, 'validation_failed');
      expect(refused.body.error.message).toContain(name);
    },
  );

  it('keeps custom headers, a rate limit and a cap on requests in flight', async () => {
    const created = await create({ headers: { 'X-Custom': 'yes', Authorization: 'Bearer abc' }, rateLimitPerSecond: 5, maxInFlight: 4 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ headers: { 'X-Custom': 'yes', Authorization: '[redacted]' }, rateLimitPerSecond: 5, maxInFlight: 4 });
    expectError(await create({ headers: { 'Bad Header': 'x' } }), 422, 'validation_failed');
    expectError(await create({ headers: { 'X-Split': 'a\r\nX-Injected: b' } }), 422, 'validation_failed');
    expectError(await create({ rateLimitPerSecond: 0 }), 422, 'validation_failed');
    for (const maxInFlight of [0, 1001, 2.5, '4']) expectError(await create({ maxInFlight }), 422, 'validation_failed');
  });

  it.each([
    'ftp://x',
    'http://10.0.0.1/',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0/',
    'http://[::ffff:10.0.0.1]/',
    'http://100.64.0.1/',
    'http://user:pass@127.0.0.1/',
    'not a url',
    'javascript:alert(1)',
  ])('refuses the unsafe URL %s with 422 unsafe_url', async (url) => {
    expectError(await create({ url }), 422, 'unsafe_url');
  });

  it('creates a FIFO endpoint, and refuses an ordering it does not know', async () => {
    const fifo = await create({ ordering: 'fifo' });
    expect(fifo.status).toBe(201);
    expect(fifo.body.ordering).toBe('fifo');
    expect((await fx.api('GET', `${base}/${fifo.body.id}`)).body.ordering).toBe('fifo');
    expectError(await create({ ordering: 'ordered' }), 422, 'validation_failed');
  });

  it('refuses a URL over 2,048 characters with 422', async () => {
    const refused = await create({ url: `${hook}?${'a'.repeat(2048)}` });
    expect(refused.status).toBe(422);
    expect(['validation_failed', 'unsafe_url']).toContain(refused.body.error.code);
  });

  it('accepts loopback in dev mode', async () => {
    expect((await create({ url: 'http://127.0.0.1:9/elsewhere' })).status).toBe(201);
  });

  it('refuses unknown fields and a missing url with 422', async () => {
    expectError(await fx.api('POST', base, { eventTypes: ['*'] }), 422, 'validation_failed');
    expectError(await create({ status: 'disabled' }), 422, 'validation_failed');
  });

  it('answers 404 for an unknown tenant', async () => {
    expectError(await create({}, '/api/v1/tenants/nobody/endpoints'), 404, 'not_found');
  });
});

describe('GET …/endpoints', () => {
  it("lists only the tenant's endpoints, in pages", async () => {
    const mine = (await create({ description: 'listed' })).body.id;
    const theirs = (await create({}, '/api/v1/tenants/globex/endpoints')).body.id;
    const { items, pages } = await readAllPages(fx, base, 3);
    const ids = items.map((e: { id: string }) => e.id);
    expect(pages).toBeGreaterThan(1);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    expect(new Set(ids).size).toBe(ids.length);
    expect(items.every((e: { tenantId: string }) => e.tenantId === 'acme')).toBe(true);
  });

  it("answers 404 for an unknown endpoint and for another tenant's", async () => {
    const theirs = (await create({}, '/api/v1/tenants/globex/endpoints')).body.id;
    expectError(await fx.api('GET', `${base}/ep_nope`), 404, 'not_found');
    expectError(await fx.api('GET', `${base}/${theirs}`), 404, 'not_found');
    expectError(await fx.api('PATCH', `${base}/${theirs}`, { description: 'x' }), 404, 'not_found');
    expectError(await fx.api('DELETE', `${base}/${theirs}`), 404, 'not_found');
    expectError(await fx.api('POST', `${base}/${theirs}/disable`), 404, 'not_found');
    expect((await fx.api('GET', `/api/v1/tenants/globex/endpoints/${theirs}`)).body.status).toBe('active');
  });
});

describe('PATCH …/endpoints/:eid', () => {
  it('changes the given fields and keeps the rest', async () => {
    const created = (await create({ description: 'before', headers: { 'X-Keep': '1' } })).body;
    const patch = {
      url: `${fx.receiver.url}/other`,
      description: 'after',
      eventTypes: ['chat.*', 'user.message.received'],
      filter: { 'data.channel': 'web' },
      rateLimitPerSecond: 10,
      maxInFlight: 1000,
      ordering: 'fifo',
      signature: { scheme: 'body-hex', header: 'X-Acme-Signature' },
    };
    const patched = await fx.api('PATCH', `${base}/${created.id}`, patch);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ ...patch, id: created.id, headers: { 'X-Keep': '1' }, status: 'active', createdAt: created.createdAt });
    expect(patched.body).not.toHaveProperty('secret');
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect((await fx.api('GET', `${base}/${created.id}`)).body).toEqual(patched.body);

    const cleared = await fx.api('PATCH', `${base}/${created.id}`, { filter: null, signature: null, rateLimitPerSecond: null, maxInFlight: null });
    expect(cleared.body).toMatchObject({ filter: null, signature: null, rateLimitPerSecond: null, maxInFlight: null, description: 'after' });
  });

  it('refuses bad changes with 422 and changes nothing', async () => {
    const created = (await create({})).body;
    const { secret: _secret, ...before } = created;
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { url: 'http://10.0.0.1/' }), 422, 'unsafe_url');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { eventTypes: ['chat.unknown'] }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { filter: { 'data.x': { $bogus: 1 } } }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { headers: { 'webhook-signature': 'x' } }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { signature: { scheme: 'standard-webhooks', header: 'X-A' } }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { secret: 'new-secret-value' }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { status: 'active' }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/${created.id}`, { ordering: 'lifo' }), 422, 'validation_failed');
    expect((await fx.api('GET', `${base}/${created.id}`)).body).toEqual(before);
  });

  it('answers 404 for an unknown endpoint', async () => {
    expectError(await fx.api('PATCH', `${base}/ep_nope`, { description: 'x' }), 404, 'not_found');
  });
});

describe('DELETE …/endpoints/:eid', () => {
  it('answers 204, then 404, also with deliveries behind it', async () => {
    const id = (await create({})).body.id;
    const published = await fx.api('POST', '/api/v1/tenants/acme/events', { type: 'chat.message', data: {} });
    expect(published.status).toBe(202);
    const deleted = await fx.api('DELETE', `${base}/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expectError(await fx.api('GET', `${base}/${id}`), 404, 'not_found');
    expectError(await fx.api('DELETE', `${base}/${id}`), 404, 'not_found');
    const { items } = await readAllPages(fx, base, 250);
    expect(items.map((e: { id: string }) => e.id)).not.toContain(id);
  });
});

describe('endpoint actions', () => {
  it('disables and enables an endpoint, with audit entries', async () => {
    const id = (await create({})).body.id;
    const disabled = await fx.api('POST', `${base}/${id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id, status: 'disabled', disabledReason: expect.any(String) });
    expect((await fx.api('GET', `${base}/${id}`)).body.status).toBe('disabled');

    const enabled = await fx.api('POST', `${base}/${id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ id, status: 'active', disabledReason: null, consecutiveFailures: 0 });

    const log = await fx.api('GET', '/api/v1/tenants/acme/audit-log?limit=250');
    expect(log.status).toBe(200);
    const mine = log.body.data.filter((entry: { targetId: string }) => entry.targetId === id);
    // Newest first.
    expect(mine.map((entry: { action: string }) => entry.action)).toEqual(['endpoint.enabled', 'endpoint.disabled', 'endpoint.created']);
    expect(mine[0]).toMatchObject({ actor: 'admin', targetType: 'endpoint', createdAt: expect.stringMatching(ISO_TIME) });
  });

  it('records the tenant key as the actor when a tenant acts', async () => {
    const key = (await fx.api('POST', '/api/v1/tenants/acme/api-keys')).body.key;
    const id = (await create({})).body.id;
    expect((await fx.api('POST', `${base}/${id}/disable`, {}, key)).status).toBe(200);
    const log = await fx.api('GET', '/api/v1/tenants/acme/audit-log', undefined, key);
    expect(log.body.data[0]).toMatchObject({ actor: 'tenant_key', action: 'endpoint.disabled', targetId: id });
  });

  it('rotates the secret: a new one, answered once, audited', async () => {
    const created = (await create({})).body;
    expect(created.previousSecretExpiresAt).toBeNull();
    const rotated = await fx.api('POST', `${base}/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    // The old secret signs beside the new one for the default day; the endpoint says until when.
    const during = (await fx.api('GET', `${base}/${created.id}`)).body.previousSecretExpiresAt;
    expect(Math.abs(Date.parse(during) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    expect(rotated.body).toEqual({ secret: expect.any(String) });
    expectGeneratedSecret(rotated.body.secret);
    expect(rotated.body.secret).not.toBe(created.secret);

    const again = await fx.api('POST', `${base}/${created.id}/rotate-secret`, { gracePeriodSeconds: 0 });
    expect(again.status).toBe(200);
    expect(again.body.secret).not.toBe(rotated.body.secret);

    const got = await fx.api('GET', `${base}/${created.id}`);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.body.previousSecretExpiresAt).toBeNull(); // no grace: only the new secret signs
    const log = await fx.api('GET', '/api/v1/tenants/acme/audit-log?limit=250');
    expect(JSON.stringify(log.body)).not.toContain(again.body.secret);
    expect(log.body.data.filter((e: { targetId: string; action: string }) => e.targetId === created.id && e.action === 'endpoint.secret_rotated')).toHaveLength(2);

    expectError(await fx.api('POST', `${base}/${created.id}/rotate-secret`, { gracePeriodSeconds: -1 }), 422, 'validation_failed');
    expectError(await fx.api('POST', `${base}/ep_nope/rotate-secret`), 404, 'not_found');
  });

  it('counts re-sends, and refuses a bad recover or a handshake without a verify token', async () => {
    const id = (await create({})).body.id;
    expect(await fx.api('POST', `${base}/${id}/retry-failed`)).toMatchObject({ status: 200, body: { count: 0 } });
    expect(await fx.api('POST', `${base}/${id}/recover`, { since: new Date(0).toISOString() })).toMatchObject({ status: 200, body: { count: 0 } });
    expectError(await fx.api('POST', `${base}/${id}/recover`, { since: 'yesterday' }), 422, 'validation_failed');
    expectError(await fx.api('POST', `${base}/${id}/recover`), 422, 'validation_failed');
    expectError(await fx.api('POST', `${base}/${id}/verify`), 409, 'conflict');
  });

  it('sends a test event, and refuses an unknown test event type with 422', async () => {
    const id = (await create({})).body.id;
    const sent = await fx.api('POST', `${base}/${id}/test`, { eventType: 'chat.response' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ success: true, statusCode: 200, durationMs: expect.any(Number), responseBody: 'ok', error: null, deliveryId: expect.stringMatching(/^dlv_/) });
    const refused = await fx.api('POST', `${base}/${id}/test`, { eventType: 'chat.unknown' });
    expectError(refused, 422, 'validation_failed');
    expect(refused.body.error.message).toContain('chat.unknown');
    expectError(await fx.api('POST', `${base}/${id}/test`, { eventType: 'not a type' }), 422, 'validation_failed');
  });

  it('refuses an audit-log cursor it did not give out', async () => {
    expectError(await fx.api('GET', '/api/v1/tenants/acme/audit-log?cursor=garbage'), 422, 'validation_failed');
    const first = await fx.api('GET', '/api/v1/tenants/acme/audit-log?limit=2');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await fx.api('GET', `/api/v1/tenants/acme/audit-log?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.data[0].id < first.body.data[1].id).toBe(true);
  });

  it('takes actions with no body at all, or an empty object, and refuses unknown fields', async () => {
    const id = (await create({})).body.id;
    expect((await fx.raw('POST', `${base}/${id}/disable`)).status).toBe(200);
    expect((await fx.raw('POST', `${base}/${id}/enable`)).status).toBe(200);
    expect((await fx.raw('POST', `${base}/${id}/retry-failed`)).status).toBe(200);
    expect((await fx.raw('POST', `${base}/${id}/rotate-secret`)).status).toBe(200);
    expect((await fx.raw('POST', `${base}/${id}/test`)).status).toBe(200);
    expect((await fx.api('POST', `${base}/${id}/enable`, {})).status).toBe(200);
    expectError(await fx.api('POST', `${base}/${id}/enable`, { force: true }), 422, 'validation_failed');
    expectError(await fx.api('POST', `${base}/${id}/test`, { eventType: 'chat.message', extra: 1 }), 422, 'validation_failed');
  });

  it('answers 404 for actions on an unknown endpoint', async () => {
    for (const action of ['enable', 'disable', 'retry-failed', 'test']) {
      expectError(await fx.api('POST', `${base}/ep_nope/${action}`), 404, 'not_found');
    }
  });
});
