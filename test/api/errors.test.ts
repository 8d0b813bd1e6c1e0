import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/herald.js';
import { expectError, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
let endpointId: string;
/** What the API answered about the stored data before any bad input; compared at the end. */
let snapshot: unknown;

const takeSnapshot = async () => ({
  tenant: (await fx.api('GET', '/api/v1/tenants/err')).body,
  endpoints: (await fx.api('GET', '/api/v1/tenants/err/endpoints?limit=250')).body,
  eventType: (await fx.api('GET', '/api/v1/event-types/err.thing')).body,
  events: (await fx.api('GET', '/api/v1/tenants/err/events?limit=250')).body,
  tenants: (await fx.api('GET', '/api/v1/tenants?limit=250')).body,
});

beforeAll(async () => {
  fx = await startApiFixture();
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'err.thing', example: { n: 1 } })).status).toBe(201);
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'err', name: 'Errors' })).status).toBe(201);
  // Where the good requests among the bad ones publish, so `err` must stay exactly as it is.
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'scratch', name: 'Scratch' })).status).toBe(201);
  const endpoint = await fx.api('POST', '/api/v1/tenants/err/endpoints', { url: `${fx.receiver.url}/err`, eventTypes: ['err.*'] });
  endpointId = endpoint.body.id;
  expect((await fx.api('POST', '/api/v1/tenants/err/events', { type: 'err.thing', data: { n: 1 } })).status).toBe(202);
  snapshot = await takeSnapshot();
});
afterAll(async () => {
  await fx.close();
});

const jsonPosts = () => [
  '/api/v1/tenants',
  '/api/v1/event-types',
  '/api/v1/tenants/err/events',
  '/api/v1/tenants/err/endpoints',
  `/api/v1/tenants/err/endpoints/${endpointId}/test`,
];

describe('request bodies', () => {
  it.each(['{"name":', '{name: "x"}', "{'name':'x'}", '[1,2', 'nul', '{"name":"x"} trailing'])('answers 400 invalid_json for %j', async (body) => {
    for (const path of jsonPosts()) {
      expectError(await fx.raw('POST', path, { body, contentType: 'application/json' }), 400, 'invalid_json');
    }
    expectError(await fx.raw('PATCH', '/api/v1/tenants/err', { body, contentType: 'application/json' }), 400, 'invalid_json');
  });

  it('answers 400 invalid_json for a prototype-poisoning body', async () => {
    const answer = await fx.raw('POST', '/api/v1/tenants', { body: '{"name":"x","__proto__":{"admin":true}}', contentType: 'application/json' });
    expectError(answer, 400, 'invalid_json');
  });

  it('answers 413 payload_too_large for a body over 1 MiB', async () => {
    const body = JSON.stringify({ type: 'err.thing', data: { blob: 'x'.repeat(1024 * 1024) } });
    expectError(await fx.raw('POST', '/api/v1/tenants/err/events', { body, contentType: 'application/json' }), 413, 'payload_too_large');
    // Just under the limit is fine.
    const fits = JSON.stringify({ type: 'err.thing', data: { blob: 'x'.repeat(1024 * 1024 - 100) } });
    expect((await fx.raw('POST', '/api/v1/tenants/scratch/events', { body: fits, contentType: 'application/json' })).status).toBe(202);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json'])(
    'answers 415 unsupported_media_type for %s',
    async (contentType) => {
      for (const path of jsonPosts()) {
        expectError(await fx.raw('POST', path, { body: '{"name":"x"}', contentType }), 415, 'unsupported_media_type');
      }
    },
  );

  it('answers 415 for a body without a content type', async () => {
    const response = await fetch(`${fx.herald.url}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: new Uint8Array(Buffer.from('{"name":"x"}')),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  it('accepts application/json with a charset', async () => {
    const answer = await fx.raw('POST', '/api/v1/tenants', { body: '{"id":"charset","name":"Charset"}', contentType: 'application/json; charset=utf-8' });
    expect(answer.status).toBe(201);
    expect((await fx.api('DELETE', '/api/v1/tenants/charset')).status).toBe(204);
  });

  it('answers 422 validation_failed with details for wrong types, without converting them', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/api/v1/tenants', { id: 'typed', name: 123 }],
      ['POST', '/api/v1/tenants', { id: 'typed', name: 'x', settings: { attemptTimeoutMs: '5000' } }],
      ['POST', '/api/v1/tenants', { id: 'typed', name: 'x', settings: { retrySchedule: 60 } }],
      ['POST', '/api/v1/tenants', { id: 'typed', name: 'x', settings: 'fast' }],
      ['POST', '/api/v1/tenants', ['not', 'an', 'object']],
      ['POST', '/api/v1/tenants', 'just a string'],
      ['POST', '/api/v1/event-types', { name: 'typed.thing', deprecated: 'true' }],
      ['POST', '/api/v1/event-types', { name: 'typed.thing', schema: 'object' }],
      ['POST', '/api/v1/tenants/err/endpoints', { url: `${fx.receiver.url}/x`, eventTypes: 'err.thing' }],
      ['POST', '/api/v1/tenants/err/endpoints', { url: `${fx.receiver.url}/x`, eventTypes: ['*'], rateLimitPerSecond: '5' }],
      ['POST', '/api/v1/tenants/err/endpoints', { url: `${fx.receiver.url}/x`, eventTypes: ['*'], headers: { 'X-Number': 5 } }],
      ['POST', '/api/v1/tenants/err/events', { type: 5, data: {} }],
      ['PATCH', `/api/v1/tenants/err/endpoints/${endpointId}`, { description: 42 }],
      ['PATCH', '/api/v1/tenants/err', { name: null }],
    ];
    for (const [method, path, body] of cases) {
      const answer = await fx.api(method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      expectError(answer, 422, 'validation_failed');
      expect(answer.body.error.details.length).toBeGreaterThan(0);
      expect(answer.body.error.details[0]).toHaveProperty('path');
    }
    expectError(await fx.api('GET', '/api/v1/tenants/typed'), 404, 'not_found');
  });

  it('answers 422 for JSON nested too deep to handle, instead of failing', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectError(await fx.raw('POST', '/api/v1/tenants/err/events', { body: `{"type":"err.thing","data":${deep}}`, contentType: 'application/json' }), 422, 'validation_failed');
    const filter = `{"url":"${fx.receiver.url}/x","eventTypes":["*"],"filter":{"data.x":${deep}}}`;
    expectError(await fx.raw('POST', '/api/v1/tenants/err/endpoints', { body: filter, contentType: 'application/json' }), 422, 'validation_failed');
    // Ordinary nesting, and brackets inside strings, are fine.
    const nested = `${'{"a":'.repeat(50)}"${'['.repeat(5000)}"${'}'.repeat(50)}`;
    const published = await fx.raw('POST', '/api/v1/tenants/scratch/events', { body: `{"type":"err.thing","data":${nested}}`, contentType: 'application/json' });
    expect(published.status).toBe(202);
  });

  it('answers 400 invalid_json for an empty JSON body', async () => {
    expectError(await fx.raw('POST', '/api/v1/tenants', { body: '', contentType: 'application/json' }), 400, 'invalid_json');
  });

});

describe('query strings', () => {
  const lists = [
    '/api/v1/event-types',
    '/api/v1/tenants',
    '/api/v1/tenants/err/endpoints',
    '/api/v1/tenants/err/events',
    '/api/v1/tenants/err/deliveries',
    '/api/v1/tenants/err/audit-log',
  ];

  it.each(lists)('%s answers 422 for limit=0, -1, 1.5 and abc', async (path) => {
    for (const limit of ['0', '-1', '1.5', 'abc']) {
      expectError(await fx.api('GET', `${path}?limit=${limit}`), 422, 'validation_failed');
    }
  });

  it.each(lists)('%s refuses or clamps limit=251, and takes 250', async (path) => {
    const over = await fx.api('GET', `${path}?limit=251`);
    if (over.status === 200) expect(over.body.data.length).toBeLessThanOrEqual(250);
    else expectError(over, 422, 'validation_failed');
    expect((await fx.api('GET', `${path}?limit=250`)).status).toBe(200);
    expect((await fx.api('GET', `${path}?limit=1`)).status).toBe(200);
  });
});

describe('routes', () => {
  it.each([
    ['GET', '/api/v1/nope'],
    ['GET', '/nope'],
    ['DELETE', '/api/v1/tenants'],
    ['PUT', '/api/v1/tenants/err'],
    ['GET', '/api/v2/tenants'],
  ])('%s %s answers 404 JSON', async (method, path) => {
    const answer = await fx.raw(method, path);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expectError(answer, 404, 'not_found');
  });

  it('answers JSON errors for paths the router cannot read', async () => {
    const long = await fx.raw('GET', `/api/v1/tenants/${'x'.repeat(300)}`);
    expect(long.status).toBeGreaterThanOrEqual(400);
    expect(long.status).toBeLessThan(500);
    expect(long.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), details: [] });
    expectError(await fx.raw('GET', `/api/v1/tenants/${'x'.repeat(100)}`), 404, 'not_found');
    const malformed = await fx.raw('GET', '/api/v1/tenants/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), details: [] });
    expectError(await fx.raw('GET', '/api/v1/tenants/%00'), 404, 'not_found');
  });
});

describe('after all of it', () => {
  it('still has every stored object exactly as before', async () => {
    expect(await takeSnapshot()).toEqual(snapshot);
    expect((await fx.api('GET', '/healthz', undefined, null)).status).toBe(200);
  });

  it('never answered a 5xx', () => {
    expect(fx.serverErrors).toEqual([]);
  });
});
