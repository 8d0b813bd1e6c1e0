import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { startApiFixture, type ApiFixture } from '../support/api.js';

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

/** The brief's API table, in OpenAPI's path syntax. */
const BRIEF_ROUTES: Record<string, string[]> = {
  '/api/v1/event-types': ['get', 'post'],
  '/api/v1/event-types/{name}': ['delete', 'get', 'patch'],
  '/api/v1/tenants': ['get', 'post'],
  '/api/v1/tenants/{tid}': ['delete', 'get', 'patch'],
  '/api/v1/tenants/{tid}/api-keys': ['post'],
  '/api/v1/tenants/{tid}/portal-token': ['post'],
  '/api/v1/tenants/{tid}/events': ['get', 'post'],
  '/api/v1/tenants/{tid}/events/batch': ['post'],
  '/api/v1/tenants/{tid}/endpoints': ['get', 'post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}': ['delete', 'get', 'patch'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/test': ['post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/enable': ['post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/disable': ['post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/rotate-secret': ['post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/verify': ['post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/retry-failed': ['post'],
  '/api/v1/tenants/{tid}/endpoints/{eid}/recover': ['post'],
  '/api/v1/tenants/{tid}/deliveries': ['get'],
  '/api/v1/tenants/{tid}/deliveries/{did}': ['get'],
  '/api/v1/tenants/{tid}/deliveries/{did}/retry': ['post'],
  '/api/v1/tenants/{tid}/audit-log': ['get'],
  '/api/v1/tenants/{tid}/stats': ['get'],
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('GET /openapi.json', () => {
  let doc: { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, any>>; components?: any };

  beforeAll(async () => {
    const answer = await fx.raw('GET', '/openapi.json', { token: null });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    doc = answer.body;
  });

  it('is OpenAPI 3.1 and says what it describes', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components?.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });

  it('lists every /api/v1 route of the brief, with each method', () => {
    const listed = Object.fromEntries(
      Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/v1'))
        .map(([path, item]) => [path, Object.keys(item).filter((m) => METHODS.includes(m)).sort()]),
    );
    for (const [path, methods] of Object.entries(BRIEF_ROUTES)) expect(listed[path], path).toEqual(expect.arrayContaining(methods));
  });


  it('gives every operation a summary and a success response', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
        const operation = item[method];
        expect(operation.summary, `${method} ${path}`).toEqual(expect.any(String));
        expect(Object.keys(operation.responses ?? {}).some((status) => /^2\d\d$/.test(status)), `${method} ${path}`).toBe(true);
      }
    }
    expect(Object.keys(doc.paths['/api/v1/tenants/{tid}/events']!.post.responses)).toContain('202');
    const batch = doc.paths['/api/v1/tenants/{tid}/events/batch']!.post;
    expect(Object.keys(batch.responses)).toContain('202');
    expect(batch.requestBody.content['application/json'].schema.properties.events).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
    expect(Object.keys(doc.paths['/api/v1/tenants']!.post.responses)).toContain('201');
  });
});

describe('GET /docs', () => {
  it('answers the interactive docs as HTML without a token', async () => {
    const answer = await fx.raw('GET', '/docs', { token: null });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toMatch(/<html/i);
  });
});

describe('GET /healthz', () => {
  it('answers 200 without a token', async () => {
    const answer = await fx.raw('GET', '/healthz', { token: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });
});

describe('GET /metrics', () => {
  it('exposes delivery attempts and queue depth in Prometheus text', async () => {
    const before = await fx.raw('GET', '/metrics', { token: null });
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(before.text).toContain('# TYPE herald_delivery_attempts_total counter');
    expect(before.text).toMatch(/^herald_queue_depth\{status="pending"\} \d+$/m);

    expect((await fx.api('POST', '/api/v1/event-types', { name: 'metric.tick' })).status).toBe(201);
    expect((await fx.api('POST', '/api/v1/tenants', { id: 'metrics', name: 'Metrics' })).status).toBe(201);
    expect((await fx.api('POST', '/api/v1/tenants/metrics/endpoints', { url: `${fx.receiver.url}/m`, eventTypes: ['*'] })).status).toBe(201);
    expect((await fx.api('POST', '/api/v1/tenants/metrics/events', { type: 'metric.tick', data: {} })).status).toBe(202);
    await eventually(async () => {
      const text = (await fx.raw('GET', '/metrics', { token: null })).text;
      const line = /^herald_delivery_attempts_total\{outcome="succeeded"\} (\d+)$/m.exec(text);
      return line && Number(line[1]) >= 1;
    });
  });
});
