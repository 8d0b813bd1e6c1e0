import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { expectError, startApiFixture, type ApiFixture } from '../support/api.js';

/** Issue 12, item 7: the audit actions of the brief, and the operator's own trail. */

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

type Entry = { action: string; actor: string; targetType: string; targetId: string; details: Record<string, unknown> };
const tenantTrail = async (tid: string): Promise<Entry[]> => (await fx.api('GET', `/api/v1/tenants/${tid}/audit-log?limit=250`)).body.data;
const operatorTrail = async (): Promise<Entry[]> => (await fx.api('GET', '/api/v1/audit-log?limit=250')).body.data;

describe('GET /api/v1/audit-log (operator)', () => {
  it('records catalog and tenant changes, newest first, and keeps them after the tenant is gone', async () => {
    expect((await fx.api('POST', '/api/v1/event-types', { name: 'audit.thing' })).status).toBe(201);
    expect((await fx.api('PATCH', '/api/v1/event-types/audit.thing', { description: 'changed' })).status).toBe(200);
    expect((await fx.api('DELETE', '/api/v1/event-types/audit.thing')).status).toBe(204);
    expect((await fx.api('POST', '/api/v1/tenants', { id: 'gone', name: 'Gone' })).status).toBe(201);
    expect((await fx.api('PATCH', '/api/v1/tenants/gone', { name: 'Going', settings: { retentionDays: 7 } })).status).toBe(200);
    expect((await fx.api('DELETE', '/api/v1/tenants/gone')).status).toBe(204);
    const trail = await operatorTrail();
    expect(trail.slice(0, 6).map((e) => [e.action, e.targetType, e.targetId, e.actor])).toEqual([
      ['tenant.deleted', 'tenant', 'gone', 'admin'],
      ['tenant.updated', 'tenant', 'gone', 'admin'],
      ['tenant.created', 'tenant', 'gone', 'admin'],
      ['event_type.deleted', 'event_type', 'audit.thing', 'admin'],
      ['event_type.updated', 'event_type', 'audit.thing', 'admin'],
      ['event_type.created', 'event_type', 'audit.thing', 'admin'],
    ]);
    expect(trail[1]!.details).toEqual({ fields: ['name', 'settings'], settings: ['retentionDays'] });
  });

  it('pages like every list', async () => {
    for (const n of [1, 2, 3]) expect((await fx.api('POST', '/api/v1/event-types', { name: `audit.page${n}` })).status).toBe(201);
    const first = await fx.api('GET', '/api/v1/audit-log?limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await fx.api('GET', `/api/v1/audit-log?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.data[0].id < first.body.data[1].id).toBe(true);
    expectError(await fx.api('GET', '/api/v1/audit-log?cursor=nonsense'), 422, 'validation_failed');
  });

  it('is for the admin token only', async () => {
    expect((await fx.api('POST', '/api/v1/tenants', { id: 'nosy', name: 'Nosy' })).status).toBe(201);
    const key = (await fx.api('POST', '/api/v1/tenants/nosy/api-keys', {})).body.key;
    const portal = (await fx.api('POST', '/api/v1/tenants/nosy/portal-token', {})).body.token;
    expectError(await fx.api('GET', '/api/v1/audit-log', undefined, key), 403, 'forbidden');
    expectError(await fx.api('GET', '/api/v1/audit-log', undefined, portal), 403, 'forbidden');
    expectError(await fx.api('GET', '/api/v1/audit-log', undefined, null), 401, 'unauthorized');
  });
});

describe('the tenant audit log', () => {
  it('records settings changes, delivery retries and recover-since, with who did them', async () => {
    expect((await fx.api('POST', '/api/v1/event-types', { name: 'audit.sent' })).status).toBe(201);
    expect((await fx.api('POST', '/api/v1/tenants', { id: 'trail', name: 'Trail', settings: { retrySchedule: [0] } })).status).toBe(201);
    const portal = (await fx.api('POST', '/api/v1/tenants/trail/portal-token', {})).body.token;
    const endpoint = await fx.api('POST', '/api/v1/tenants/trail/endpoints', { url: `${fx.receiver.url}/trail`, eventTypes: ['*'] });
    expect(endpoint.status).toBe(201);
    expect((await fx.api('POST', '/api/v1/tenants/trail/events', { type: 'audit.sent', data: {} })).status).toBe(202);
    const delivery = await eventually(async () => {
      const first = (await fx.api('GET', '/api/v1/tenants/trail/deliveries')).body.data[0];
      return first?.status === 'succeeded' ? (first.id as string) : null;
    });

    expect((await fx.api('PATCH', '/api/v1/tenants/trail', { settings: { retentionDays: 9 } })).status).toBe(200);
    expect((await fx.api('PATCH', '/api/v1/tenants/trail', { name: 'Only the name' })).status).toBe(200);
    expect((await fx.api('POST', `/api/v1/tenants/trail/deliveries/${delivery}/retry`, undefined, portal)).status).toBe(200);
    const since = new Date(0).toISOString();
    expect((await fx.api('POST', `/api/v1/tenants/trail/endpoints/${endpoint.body.id}/recover`, { since }, portal)).status).toBe(200);

    const trail = await tenantTrail('trail');
    expect(trail.slice(0, 3).map((e) => [e.action, e.actor, e.targetType, e.targetId])).toEqual([
      ['endpoint.recovered_since', 'portal', 'endpoint', endpoint.body.id],
      ['delivery.retried', 'portal', 'delivery', delivery],
      ['tenant.settings_changed', 'admin', 'tenant', 'trail'],
    ]);
    expect(trail[0]!.details).toMatchObject({ since });
    expect(trail[2]!.details).toEqual({ settings: ['retentionDays'] });
    expect(trail.filter((e) => e.action === 'portal_token.created')).toHaveLength(1);
  });
});
