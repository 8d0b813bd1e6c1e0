import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError, ISO_TIME, readAllPages, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const DEFAULT_SETTINGS = {
  retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400],
  attemptTimeoutMs: 10000,
  autoDisableAfterFailures: 20,
  signature: { scheme: 'standard-webhooks' },
  envelope: 'snake',
  userAgent: `Herald/${version}`,
  eventQuota: null,
  retentionDays: 30,
};

beforeAll(async () => {
  fx = await startApiFixture();
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

describe('POST /api/v1/tenants', () => {
  it('creates a tenant with the caller-chosen id and every default setting', async () => {
    const created = await fx.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'acme', name: 'Acme', settings: DEFAULT_SETTINGS, createdAt: expect.stringMatching(ISO_TIME) });
    expect((await fx.api('GET', '/api/v1/tenants/acme')).body).toEqual(created.body);
  });

  it('generates a distinct id when none is given', async () => {
    const first = await fx.api('POST', '/api/v1/tenants', { name: 'No id 1' });
    const second = await fx.api('POST', '/api/v1/tenants', { name: 'No id 2' });
    expect(first.status).toBe(201);
    expect(first.body.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(second.body.id).not.toBe(first.body.id);
    expect((await fx.api('GET', `/api/v1/tenants/${first.body.id}`)).body).toMatchObject({ id: first.body.id, name: 'No id 1', settings: DEFAULT_SETTINGS });
  });

  it('keeps the settings it is given and defaults the rest', async () => {
    const settings = {
      retrySchedule: [0, 5, 25],
      attemptTimeoutMs: 5000,
      envelope: 'camel',
      signature: { scheme: 'body-hex', header: 'X-Acme-Signature' },
      userAgent: 'Acme-Webhook/1.0',
      eventQuota: { limit: 1000, period: 'month' },
    };
    const created = await fx.api('POST', '/api/v1/tenants', { id: 'custom', name: 'Custom', settings });
    expect(created.status).toBe(201);
    expect(created.body.settings).toEqual({ ...DEFAULT_SETTINGS, ...settings });
  });

  it('answers 409 conflict for an id that exists, and keeps the first', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'taken', name: 'First' });
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'taken', name: 'Second' }), 409, 'conflict');
    expect((await fx.api('GET', '/api/v1/tenants/taken')).body.name).toBe('First');
  });

  it('answers 422 for a bad id, a missing name or an unknown field', async () => {
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'has space', name: 'x' }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'a/b', name: 'x' }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'x'.repeat(65), name: 'x' }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'noname' }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'extra', name: 'x', plan: 'gold' }), 422, 'validation_failed');
  });

  const badSettings: Array<[string, Record<string, unknown>]> = [
    ['an empty retrySchedule', { retrySchedule: [] }],
    ['a retrySchedule of 21 steps', { retrySchedule: Array.from({ length: 21 }, () => 1) }],
    ['a negative retry step', { retrySchedule: [0, -1] }],
    ['a fractional retry step', { retrySchedule: [0, 1.5] }],
    ['attemptTimeoutMs below 100', { attemptTimeoutMs: 99 }],
    ['a header on the standard-webhooks scheme', { signature: { scheme: 'standard-webhooks', header: 'X-Acme-Signature' } }],
    ['a header on the timestamped-hex scheme', { signature: { scheme: 'timestamped-hex', header: 'X-Acme-Signature' } }],
    ['a prefix on the body-hex scheme', { signature: { scheme: 'body-hex', prefix: 'Acme' } }],
    ['an unknown signature scheme', { signature: { scheme: 'md5' } }],
    ['an unknown envelope', { envelope: 'kebab' }],
    ['an unknown quota period', { eventQuota: { limit: 10, period: 'week' } }],
    ['an unknown setting', { colour: 'blue' }],
  ];

  it.each(badSettings)('refuses %s with 422 and creates nothing', async (_what, settings) => {
    expectError(await fx.api('POST', '/api/v1/tenants', { id: 'bad-settings', name: 'Bad', settings }), 422, 'validation_failed');
    expectError(await fx.api('GET', '/api/v1/tenants/bad-settings'), 404, 'not_found');
  });

  it('accepts the limits themselves: 1 and 20 retry steps, attemptTimeoutMs 100', async () => {
    const one = await fx.api('POST', '/api/v1/tenants', { name: 'One step', settings: { retrySchedule: [0], attemptTimeoutMs: 100 } });
    expect(one.status).toBe(201);
    expect(one.body.settings).toMatchObject({ retrySchedule: [0], attemptTimeoutMs: 100 });
    const twenty = await fx.api('POST', '/api/v1/tenants', { name: 'Twenty steps', settings: { retrySchedule: Array.from({ length: 20 }, (_, i) => i) } });
    expect(twenty.status).toBe(201);
    expect(twenty.body.settings.retrySchedule).toHaveLength(20);
  });

  it.each(badSettings)('refuses a PATCH with %s and keeps the settings', async (_what, settings) => {
    await fx.api('POST', '/api/v1/tenants', { id: 'patch-target', name: 'Target' });
    expectError(await fx.api('PATCH', '/api/v1/tenants/patch-target', { settings }), 422, 'validation_failed');
    expect((await fx.api('GET', '/api/v1/tenants/patch-target')).body.settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe('GET, PATCH and DELETE /api/v1/tenants/:tid', () => {
  it('answers 404 for an unknown tenant', async () => {
    expectError(await fx.api('GET', '/api/v1/tenants/nobody'), 404, 'not_found');
    expectError(await fx.api('PATCH', '/api/v1/tenants/nobody', { name: 'x' }), 404, 'not_found');
    expectError(await fx.api('DELETE', '/api/v1/tenants/nobody'), 404, 'not_found');
  });

  it('merges a settings patch onto the current settings', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'merge', name: 'Merge', settings: { envelope: 'camel', signature: { scheme: 'timestamped-hex', prefix: 'Mobieus' } } });
    const patched = await fx.api('PATCH', '/api/v1/tenants/merge', { settings: { attemptTimeoutMs: 5000, retrySchedule: [0, 60] } });
    expect(patched.status).toBe(200);
    const expected = {
      ...DEFAULT_SETTINGS,
      envelope: 'camel',
      signature: { scheme: 'timestamped-hex', prefix: 'Mobieus' },
      attemptTimeoutMs: 5000,
      retrySchedule: [0, 60],
    };
    expect(patched.body).toMatchObject({ id: 'merge', name: 'Merge', settings: expected });

    const renamed = await fx.api('PATCH', '/api/v1/tenants/merge', { name: 'Merged' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Merged', settings: expected });
    expect((await fx.api('GET', '/api/v1/tenants/merge')).body).toEqual(renamed.body);

    const quota = await fx.api('PATCH', '/api/v1/tenants/merge', { settings: { eventQuota: { limit: 5, period: 'day' } } });
    expect(quota.body.settings.eventQuota).toEqual({ limit: 5, period: 'day' });
    const noQuota = await fx.api('PATCH', '/api/v1/tenants/merge', { settings: { eventQuota: null } });
    expect(noQuota.body.settings.eventQuota).toBeNull();
  });

  it('lists tenants in pages', async () => {
    for (let i = 0; i < 4; i++) await fx.api('POST', '/api/v1/tenants', { id: `list-${i}`, name: `List ${i}` });
    const whole = await fx.api('GET', '/api/v1/tenants?limit=250');
    expect(whole.status).toBe(200);
    expect(whole.body.nextCursor).toBeNull();
    const ids = whole.body.data.map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['acme', 'list-0', 'list-1', 'list-2', 'list-3']));
    expect(whole.body.data.find((t: { id: string }) => t.id === 'acme')).toEqual({
      id: 'acme',
      name: 'Acme',
      settings: DEFAULT_SETTINGS,
      createdAt: expect.stringMatching(ISO_TIME),
    });
    const { items } = await readAllPages(fx, '/api/v1/tenants', 2);
    expect(items.map((t: { id: string }) => t.id)).toEqual(ids);
  });

  it('deletes a tenant with 204, and then its routes answer 404 and its keys 401', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'doomed', name: 'Doomed' });
    // With everything a tenant owns: an endpoint, a key, events and their deliveries.
    await fx.api('POST', '/api/v1/event-types', { name: 'doom.event' });
    expect((await fx.api('POST', '/api/v1/tenants/doomed/endpoints', { url: `${fx.receiver.url}/doomed`, eventTypes: ['*'] })).status).toBe(201);
    const key = (await fx.api('POST', '/api/v1/tenants/doomed/api-keys')).body.key;
    for (let i = 0; i < 3; i++) expect((await fx.api('POST', '/api/v1/tenants/doomed/events', { type: 'doom.event', data: { i } })).status).toBe(202);
    const deleted = await fx.api('DELETE', '/api/v1/tenants/doomed');
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expectError(await fx.api('GET', '/api/v1/tenants/doomed'), 404, 'not_found');
    expectError(await fx.api('GET', '/api/v1/tenants/doomed/endpoints'), 404, 'not_found');
    expectError(await fx.api('DELETE', '/api/v1/tenants/doomed'), 404, 'not_found');
    expectError(await fx.api('GET', '/api/v1/tenants/doomed', undefined, key), 401, 'unauthorized');
    const list = await fx.api('GET', '/api/v1/tenants?limit=250');
    expect(list.body.data.map((t: { id: string }) => t.id)).not.toContain('doomed');
  });
});

describe('POST /api/v1/tenants/:tid/api-keys', () => {
  it('answers a key once, which reaches its own tenant only', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'keyed', name: 'Keyed' });
    await fx.api('POST', '/api/v1/tenants', { id: 'other', name: 'Other' });
    const issued = await fx.api('POST', '/api/v1/tenants/keyed/api-keys');
    expect(issued.status).toBe(201);
    const key: string = issued.body.key;
    expect(typeof key).toBe('string');
    expect(key.length).toBeGreaterThanOrEqual(32);
    const again = await fx.api('POST', '/api/v1/tenants/keyed/api-keys');
    expect(again.body.key).not.toBe(key);

    expect((await fx.api('GET', '/api/v1/tenants/keyed', undefined, key)).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/tenants/keyed/endpoints', undefined, key)).status).toBe(200);
    expectError(await fx.api('GET', '/api/v1/tenants/other', undefined, key), 404, 'not_found');
    expectError(await fx.api('GET', '/api/v1/tenants/other/endpoints', undefined, key), 404, 'not_found');

    // Shown once: nothing the API answers later carries it.
    const later = [
      await fx.api('GET', '/api/v1/tenants/keyed'),
      await fx.api('GET', '/api/v1/tenants?limit=250'),
      await fx.api('GET', '/api/v1/tenants/keyed/audit-log'),
    ];
    for (const answer of later) expect(JSON.stringify(answer.body)).not.toContain(key);
  });

  it('answers 404 for an unknown tenant', async () => {
    expectError(await fx.api('POST', '/api/v1/tenants/nobody/api-keys'), 404, 'not_found');
  });
});

describe('POST /api/v1/tenants/:tid/portal-token', () => {
  it('answers {token, url, expiresAt} with the token in the fragment, usable as a bearer token', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'portal', name: 'Portal' });
    const before = Date.now();
    const issued = await fx.api('POST', '/api/v1/tenants/portal/portal-token');
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ id: expect.stringMatching(/^ptk_/), token: expect.any(String), url: expect.any(String), expiresAt: expect.stringMatching(ISO_TIME) });
    const { token, url, expiresAt } = issued.body as { token: string; url: string; expiresAt: string };

    const link = new URL(url);
    expect(link.origin).toBe(new URL(fx.herald.url).origin);
    expect(link.search).toBe('');
    expect(link.search).not.toContain(token);
    expect(new URLSearchParams(link.hash.slice(1)).get('token')).toBe(token);

    const ttl = Date.parse(expiresAt) - before;
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000);

    expect((await fx.api('GET', '/api/v1/tenants/portal', undefined, token)).body.id).toBe('portal');
    // Any number of times until it expires.
    expect((await fx.api('GET', '/api/v1/tenants/portal/endpoints', undefined, token)).status).toBe(200);
    expectError(await fx.api('GET', '/api/v1/tenants/acme', undefined, token), 404, 'not_found');
  });

  it('takes expiresInSeconds, from a minimum of 60', async () => {
    await fx.api('POST', '/api/v1/tenants', { id: 'portal-ttl', name: 'Portal TTL' });
    const before = Date.now();
    const issued = await fx.api('POST', '/api/v1/tenants/portal-ttl/portal-token', { expiresInSeconds: 120 });
    expect(issued.status).toBe(201);
    const ttl = Date.parse(issued.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(119_000);
    expect(ttl).toBeLessThan(125_000);
    expectError(await fx.api('POST', '/api/v1/tenants/portal-ttl/portal-token', { expiresInSeconds: 0 }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants/portal-ttl/portal-token', { expiresInSeconds: 'soon' }), 422, 'validation_failed');
  });

  it('answers 404 for an unknown tenant', async () => {
    expectError(await fx.api('POST', '/api/v1/tenants/nobody/portal-token'), 404, 'not_found');
  });
});
