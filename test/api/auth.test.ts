import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN } from '../support/herald.js';
import { expectError, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
let key: string;
let portal: string;
let theirEndpoint: string;

beforeAll(async () => {
  fx = await startApiFixture();
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'chat.message' })).status).toBe(201);
  for (const id of ['t1', 't2']) expect((await fx.api('POST', '/api/v1/tenants', { id, name: id })).status).toBe(201);
  key = (await fx.api('POST', '/api/v1/tenants/t1/api-keys')).body.key;
  portal = (await fx.api('POST', '/api/v1/tenants/t1/portal-token')).body.token;
  theirEndpoint = (await fx.api('POST', '/api/v1/tenants/t2/endpoints', { url: `${fx.receiver.url}/t2`, eventTypes: ['*'] })).body.id;
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  vi.useRealTimers();
  await fx.close();
});

const routes: Array<[string, string, unknown?]> = [
  ['GET', '/api/v1/tenants'],
  ['POST', '/api/v1/tenants', { name: 'x' }],
  ['GET', '/api/v1/event-types'],
  ['GET', '/api/v1/tenants/t1'],
  ['GET', '/api/v1/tenants/t1/endpoints'],
  ['POST', '/api/v1/tenants/t1/events', { type: 'chat.message', data: {} }],
  ['GET', '/api/v1/tenants/t1/events'],
  ['GET', '/api/v1/tenants/t1/deliveries'],
  ['GET', '/api/v1/tenants/t1/audit-log'],
];

describe('credentials', () => {
  it.each(routes)('%s %s answers 401 without a token', async (method, path, body) => {
    expectError(await fx.api(method, path, body, null), 401, 'unauthorized');
  });

  it.each(routes)('%s %s answers 401 with a wrong token', async (method, path, body) => {
    expectError(await fx.api(method, path, body, 'not-a-real-token'), 401, 'unauthorized');
    expectError(await fx.api(method, path, body, `${key}x`), 401, 'unauthorized');
  });

  it('answers 401 for a malformed Authorization header', async () => {
    for (const authorization of [ADMIN_TOKEN, `Basic ${ADMIN_TOKEN}`, `Token ${ADMIN_TOKEN}`, 'Bearer', 'Bearer ']) {
      const response = await fetch(`${fx.herald.url}/api/v1/tenants/t1`, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('lets the admin token reach every tenant', async () => {
    expect((await fx.api('GET', '/api/v1/tenants/t1')).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/tenants/t2')).status).toBe(200);
    expect((await fx.api('GET', `/api/v1/tenants/t2/endpoints/${theirEndpoint}`)).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/tenants')).status).toBe(200);
  });
});

describe.each([
  ['a tenant API key', () => key],
  ['a portal token', () => portal],
])('%s', (_what, token) => {
  it('reaches its own tenant', async () => {
    expect((await fx.api('GET', '/api/v1/tenants/t1', undefined, token())).body.id).toBe('t1');
    const endpoint = await fx.api('POST', '/api/v1/tenants/t1/endpoints', { url: `${fx.receiver.url}/t1`, eventTypes: ['chat.message'] }, token());
    expect(endpoint.status).toBe(201);
    expect((await fx.api('GET', `/api/v1/tenants/t1/endpoints/${endpoint.body.id}`, undefined, token())).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/tenants/t1/events', undefined, token())).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/tenants/t1/deliveries', undefined, token())).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/tenants/t1/audit-log', undefined, token())).status).toBe(200);
    // The catalog is readable, so the dashboard can offer its event types.
    expect((await fx.api('GET', '/api/v1/event-types', undefined, token())).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/event-types/chat.message', undefined, token())).status).toBe(200);
  });

  it("answers 404 on another tenant's routes, exactly as for a tenant that does not exist", async () => {
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/tenants/t2'],
      ['GET', '/api/v1/tenants/t2/endpoints'],
      ['POST', '/api/v1/tenants/t2/endpoints', { url: `${fx.receiver.url}/x`, eventTypes: ['*'] }],
      ['GET', `/api/v1/tenants/t2/endpoints/${theirEndpoint}`],
      ['PATCH', `/api/v1/tenants/t2/endpoints/${theirEndpoint}`, { description: 'mine now' }],
      ['DELETE', `/api/v1/tenants/t2/endpoints/${theirEndpoint}`],
      ['POST', `/api/v1/tenants/t2/endpoints/${theirEndpoint}/disable`],
      ['POST', `/api/v1/tenants/t2/endpoints/${theirEndpoint}/rotate-secret`],
      ['POST', '/api/v1/tenants/t2/events', { type: 'chat.message', data: {} }],
      ['GET', '/api/v1/tenants/t2/events'],
      ['GET', '/api/v1/tenants/t2/deliveries'],
      ['GET', '/api/v1/tenants/t2/audit-log'],
      ['GET', `/api/v1/tenants/t1/endpoints/${theirEndpoint}`],
      ['GET', '/api/v1/tenants/nobody'],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await fx.api(method, path, body, token());
      expect(answer.status, `${method} ${path}`).toBe(404);
      expectError(answer, 404, 'not_found');
    }
    const theirs = await fx.api('GET', `/api/v1/tenants/t2/endpoints/${theirEndpoint}`);
    expect(theirs.body).toMatchObject({ status: 'active', description: '' });
    expect((await fx.api('GET', '/api/v1/tenants/t2/events')).body.data).toEqual([]);
  });

  it('answers 403 on operator routes, changing nothing', async () => {
    const operatorOnly: Array<[string, string, unknown?]> = [
      ['POST', '/api/v1/tenants', { id: 't3', name: 'Sneaky' }],
      ['GET', '/api/v1/tenants'],
      ['PATCH', '/api/v1/tenants/t1', { settings: { retrySchedule: [0] } }],
      ['DELETE', '/api/v1/tenants/t1'],
      ['POST', '/api/v1/event-types', { name: 'sneaky.type' }],
      ['PATCH', '/api/v1/event-types/chat.message', { description: 'changed' }],
      ['DELETE', '/api/v1/event-types/chat.message'],
    ];
    for (const [method, path, body] of operatorOnly) {
      const answer = await fx.api(method, path, body, token());
      expect(answer.status, `${method} ${path}`).toBe(403);
      expectError(answer, 403, 'forbidden');
    }
    expectError(await fx.api('GET', '/api/v1/tenants/t3'), 404, 'not_found');
    expect((await fx.api('GET', '/api/v1/tenants/t1')).body.settings.retrySchedule).toHaveLength(7);
    expect((await fx.api('GET', '/api/v1/event-types/chat.message')).body.description).toBe('');
    expectError(await fx.api('GET', '/api/v1/event-types/sneaky.type'), 404, 'not_found');
  });
});

describe('what a tenant API key may do that a portal token may not', () => {
  const keyOnly: Array<[string, string, unknown?]> = [
    ['POST', '/api/v1/tenants/t1/events', { type: 'chat.message', data: {} }],
    ['POST', '/api/v1/tenants/t1/api-keys', {}],
    ['GET', '/api/v1/tenants/t1/api-keys'],
    ['POST', '/api/v1/tenants/t1/portal-token', {}],
    ['GET', '/api/v1/tenants/t1/portal-tokens'],
  ];

  it.each(keyOnly)('%s %s: the key yes, the portal token 403', async (method, path, body) => {
    const byKey = await fx.api(method, path, body, key);
    expect(byKey.status, `${method} ${path}`).toBeLessThan(300);
    expectError(await fx.api(method, path, body, portal), 403, 'forbidden');
  });

  it('a portal token publishes nothing and mints nothing when refused', async () => {
    const before = (await fx.api('GET', '/api/v1/tenants/t1/events')).body.data.length;
    const keys = (await fx.api('GET', '/api/v1/tenants/t1/api-keys')).body.data.length;
    expectError(await fx.api('POST', '/api/v1/tenants/t1/events', { type: 'chat.message', data: { sneaky: true } }, portal), 403, 'forbidden');
    expectError(await fx.api('POST', '/api/v1/tenants/t1/api-keys', {}, portal), 403, 'forbidden');
    expect((await fx.api('GET', '/api/v1/tenants/t1/events')).body.data.length).toBe(before);
    expect((await fx.api('GET', '/api/v1/tenants/t1/api-keys')).body.data.length).toBe(keys);
  });
});

describe('portal token expiry', () => {
  it('works until expiresAt, then answers 401', async () => {
    const issued = await fx.api('POST', '/api/v1/tenants/t1/portal-token', { expiresInSeconds: 60 });
    expect(issued.status).toBe(201);
    const { token, expiresAt } = issued.body as { token: string; expiresAt: string };
    expect((await fx.api('GET', '/api/v1/tenants/t1', undefined, token)).status).toBe(200);

    // Only the clock moves: timers and sockets stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.parse(expiresAt) - 1000);
      expect((await fx.api('GET', '/api/v1/tenants/t1', undefined, token)).status).toBe(200);
      vi.setSystemTime(Date.parse(expiresAt) + 1000);
      expectError(await fx.api('GET', '/api/v1/tenants/t1', undefined, token), 401, 'unauthorized');
      // The API key and the long-lived portal token are unaffected.
      expect((await fx.api('GET', '/api/v1/tenants/t1', undefined, key)).status).toBe(200);
      expect((await fx.api('GET', '/api/v1/tenants/t1', undefined, portal)).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});
