import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError, ISO_TIME, startApiFixture, type ApiFixture } from '../support/api.js';
import { flatHeaders } from '../support/delivery.js';

/**
 * Issue 13: the operator's endpoints, deliveries, settings and event types at /api/v1/operator,
 * for the admin token only. The receiver is a real loopback server.
 */
let fx: ApiFixture;
let tenantKey: string;
let portalToken: string;
const base = '/api/v1/operator';

beforeAll(async () => {
  fx = await startApiFixture();
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  tenantKey = (await fx.api('POST', '/api/v1/tenants/acme/api-keys', {})).body.key;
  portalToken = (await fx.api('POST', '/api/v1/tenants/acme/portal-token', {})).body.token;
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

const create = (body: Record<string, unknown> = {}) => fx.api('POST', `${base}/endpoints`, { url: `${fx.receiver.url}/ops`, eventTypes: ['endpoint.*'], ...body });

describe('operator endpoints', () => {
  it('creates one like a tenant endpoint: 201, the secret once, subscriptions from the operational catalog', async () => {
    const created = await create({ description: 'Pager', eventTypes: ['endpoint.*', 'delivery.exhausted', 'quota.exceeded'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^ep_/), status: 'active', failing: false, description: 'Pager', createdAt: expect.stringMatching(ISO_TIME) });
    expect(created.body.secret).toMatch(/^whsec_/);
    const got = await fx.api('GET', `${base}/endpoints/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect((await fx.api('GET', `${base}/endpoints`)).body.data.map((e: { id: string }) => e.id)).toContain(created.body.id);
    // A tenant's catalog is not the operator's: chat types are unknown here, and operational ones to tenants.
    expectError(await create({ eventTypes: ['chat.message'] }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants/acme/endpoints', { url: `${fx.receiver.url}/t`, eventTypes: ['endpoint.failing'] }), 422, 'validation_failed');
  });

  it('keeps them apart from every tenant: not listed, not reachable as a tenant, refused by the SSRF rules as any', async () => {
    const created = await create();
    expect((await fx.api('GET', '/api/v1/tenants?limit=250')).body.data.map((t: { id: string }) => t.id)).toEqual(['acme']);
    expectError(await fx.api('GET', `/api/v1/tenants/${encodeURIComponent('herald:operator')}/endpoints/${created.body.id}`), 404, 'not_found');
    expectError(await fx.api('GET', `/api/v1/tenants/acme/endpoints/${created.body.id}`), 404, 'not_found');
    expectError(await create({ url: 'http://169.254.169.254/latest' }), 422, 'unsafe_url');
  });

  it('sends a test event signed the Standard Webhooks way, logged among its deliveries, and retries it', async () => {
    const created = await create({ eventTypes: ['endpoint.failing'] });
    const test = await fx.api('POST', `${base}/endpoints/${created.body.id}/test`, {});
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ success: true, statusCode: 200 });
    const request = fx.receiver.received.at(-1)!;
    const envelope = new Webhook(created.body.secret).verify(request.body, flatHeaders(request)) as { type: string; data: Record<string, unknown> };
    expect(envelope).toMatchObject({ type: 'endpoint.failing', data: { tenantId: 'acme', consecutiveFailures: 5 } });

    const list = await fx.api('GET', `${base}/deliveries?endpointId=${created.body.id}`);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id: test.body.deliveryId, eventType: 'endpoint.failing', status: 'succeeded', isTest: true })]);
    const detail = await fx.api('GET', `${base}/deliveries/${test.body.deliveryId}`);
    expect(detail.body).toMatchObject({ event: { type: 'endpoint.failing' }, attempts: [{ number: 1, statusCode: 200 }] });
    expect((await fx.api('POST', `${base}/deliveries/${test.body.deliveryId}/retry`)).body).toMatchObject({ id: test.body.deliveryId, status: 'pending' });
    expectError(await fx.api('GET', `${base}/deliveries/dlv_01JG8Z6Y3T9E1C2X4V5B6N7M8K`), 404, 'not_found');
  });

  it('changes, disables, enables, rotates and deletes, each in the operator trail', async () => {
    const { id } = (await create()).body;
    expect((await fx.api('PATCH', `${base}/endpoints/${id}`, { description: 'Renamed' })).body.description).toBe('Renamed');
    expect((await fx.api('POST', `${base}/endpoints/${id}/disable`)).body).toMatchObject({ status: 'disabled', disabledReason: 'Disabled by request' });
    expect((await fx.api('POST', `${base}/endpoints/${id}/enable`)).body).toMatchObject({ status: 'active', disabledReason: null });
    expect((await fx.api('POST', `${base}/endpoints/${id}/rotate-secret`, { gracePeriodSeconds: 0 })).body.secret).toMatch(/^whsec_/);
    expect((await fx.api('DELETE', `${base}/endpoints/${id}`)).status).toBe(204);
    expectError(await fx.api('GET', `${base}/endpoints/${id}`), 404, 'not_found');
    const trail = (await fx.api('GET', '/api/v1/audit-log?limit=250')).body.data.filter((e: { targetId: string }) => e.targetId === id);
    expect(trail.map((e: { action: string }) => e.action).reverse()).toEqual([
      'endpoint.created',
      'endpoint.updated',
      'endpoint.disabled',
      'endpoint.enabled',
      'endpoint.secret_rotated',
      'endpoint.deleted',
    ]);
  });
});

describe('operator settings, event types and alerts', () => {
  it('holds failingAfter, 5 by default, validated', async () => {
    expect((await fx.api('GET', `${base}/settings`)).body).toEqual({ failingAfter: 5 });
    expect((await fx.api('PATCH', `${base}/settings`, { failingAfter: 3 })).body).toEqual({ failingAfter: 3 });
    expect((await fx.api('GET', `${base}/settings`)).body).toEqual({ failingAfter: 3 });
    expectError(await fx.api('PATCH', `${base}/settings`, { failingAfter: 0 }), 422, 'validation_failed');
    expectError(await fx.api('PATCH', `${base}/settings`, { other: 1 }), 422, 'validation_failed');
  });

  it('lists the seven operational event types with examples', async () => {
    const { body } = await fx.api('GET', `${base}/event-types`);
    expect(body.data.map((t: { name: string }) => t.name)).toEqual([
      'endpoint.failing',
      'endpoint.disabled',
      'endpoint.enabled',
      'endpoint.recovered',
      'delivery.exhausted',
      'quota.warning',
      'quota.exceeded',
    ]);
    expect(body.data.every((t: { example: { tenantId?: string } }) => t.example.tenantId === 'acme')).toBe(true);
  });

  it("lists tenants' disabled endpoints for the banners, never the operator's own", async () => {
    const own = (await create()).body.id;
    await fx.api('POST', `${base}/endpoints/${own}/disable`);
    const endpoint = (await fx.api('POST', '/api/v1/tenants/acme/endpoints', { url: `${fx.receiver.url}/t`, eventTypes: ['*'] })).body;
    await fx.api('POST', `/api/v1/tenants/acme/endpoints/${endpoint.id}/disable`, undefined, tenantKey);
    const alerts = await fx.api('GET', `${base}/endpoint-alerts`);
    expect(alerts.body).toEqual({
      data: [{ tenantId: 'acme', endpointId: endpoint.id, url: endpoint.url, status: 'disabled', failing: false, disabledReason: 'Disabled by request', consecutiveFailures: 0, updatedAt: expect.stringMatching(ISO_TIME) }],
      nextCursor: null,
    });
    expectError(await fx.api('GET', `${base}/endpoint-alerts?cursor=nope`), 422, 'validation_failed');
  });
});

describe('who may call them', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/endpoints'],
    ['POST', '/endpoints', { url: 'http://127.0.0.1:9/x', eventTypes: ['*'] }],
    ['GET', '/deliveries'],
    ['GET', '/settings'],
    ['PATCH', '/settings', { failingAfter: 2 }],
    ['GET', '/event-types'],
    ['GET', '/endpoint-alerts'],
  ];

  it.each(routes)('%s /operator%s: 403 for a tenant key or portal token, 401 without a token', async (method, path, body) => {
    expectError(await fx.api(method, `${base}${path}`, body, tenantKey), 403, 'forbidden');
    expectError(await fx.api(method, `${base}${path}`, body, portalToken), 403, 'forbidden');
    expectError(await fx.api(method, `${base}${path}`, body, null), 401, 'unauthorized');
  });
});
