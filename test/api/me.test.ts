import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'me-t', name: 'Me' })).status).toBe(201);
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

describe('GET /api/v1/me', () => {
  it('answers admin for the admin token', async () => {
    const answer = await fx.api('GET', '/api/v1/me');
    expect(answer).toMatchObject({ status: 200, body: { kind: 'admin' } });
  });

  it('answers the tenant of a tenant API key and of a portal token', async () => {
    const key = (await fx.api('POST', '/api/v1/tenants/me-t/api-keys')).body.key;
    expect((await fx.api('GET', '/api/v1/me', undefined, key)).body).toEqual({ kind: 'tenant', tenantId: 'me-t', via: 'tenant_key' });
    const portal = (await fx.api('POST', '/api/v1/tenants/me-t/portal-token', {})).body.token;
    expect((await fx.api('GET', '/api/v1/me', undefined, portal)).body).toEqual({ kind: 'tenant', tenantId: 'me-t', via: 'portal' });
  });

  it('refuses a missing or unknown token', async () => {
    expectError(await fx.api('GET', '/api/v1/me', undefined, null), 401, 'unauthorized');
    expectError(await fx.api('GET', '/api/v1/me', undefined, 'nope'), 401, 'unauthorized');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await fx.raw('GET', '/openapi.json', { token: null })).body;
    expect(doc.paths['/api/v1/me']?.get).toBeDefined();
  });
});

describe('the dashboard at /', () => {
  it('serves index.html without caching, and hashed assets with a long cache', async () => {
    const index = await fx.raw('GET', '/', { token: null });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toBe(
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    );
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)?.[1];
    if (!asset) return; // not built: the page says so (checked below)
    const js = await fx.raw('GET', asset, { token: null });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });

  it('answers index.html for browser paths, and JSON 404s for API clients and /api', async () => {
    const page = await fetch(`${fx.herald.url}/deliveries/x`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expectError(await fx.raw('GET', '/nope', { token: null }), 404, 'not_found');
    const api = await fetch(`${fx.herald.url}/api/v1/nope`, { headers: { accept: 'text/html', authorization: 'Bearer test-admin-token' } });
    expect(api.status).toBe(404);
    expectError(await fx.raw('GET', '/assets/missing.js', { token: null }), 404, 'not_found');
    expectError(await fx.raw('GET', '/../package.json', { token: null }), 404, 'not_found');
  });
});
