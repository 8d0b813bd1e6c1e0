import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/signing/index.js';
import { createEndpoint, createTenant, deliveryFor, ensureEventType, flatHeaders, getDelivery, hasStatus, publish, receivedOn, waitForDelivery } from '../support/delivery.js';
import { databaseBytes } from '../support/first-release.js';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/** Issue 12, item 3: custom header values with a sensitive name are sealed, sent as given, never shown. */

const SENSITIVE = {
  Authorization: 'Bearer customer-credential-0c8e11',
  'X-Api-Key': 'api-key-value-77d3a2',
  'X-Session-Token': 'session-token-value-1f90',
  Cookie: 'sid=cookie-value-4a1b2c',
};
const PLAIN = { 'X-Tenant-Region': 'eu-west-plain-header' };

let herald: TestHerald;
let receiver: Receiver;
let tenant: string;
let endpoint: { id: string };

beforeAll(async () => {
  receiver = await Receiver.start();
  herald = await startTestHerald({ encryptionKey: SecretBox.generateKey() });
  tenant = await createTenant(herald);
  await ensureEventType(herald, 'headers.sealed');
  endpoint = await createEndpoint(herald, tenant, { url: `${receiver.url}/hook`, eventTypes: ['*'], headers: { ...SENSITIVE, ...PLAIN } });
});

afterAll(async () => {
  await herald?.stop().catch(() => {});
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

const redactedView = { Authorization: '[redacted]', 'X-Api-Key': '[redacted]', 'X-Session-Token': '[redacted]', Cookie: '[redacted]', ...PLAIN };

describe('sensitive custom headers', () => {
  it('are shown as [redacted] by the create, get and list answers', async () => {
    const got = await herald.api('GET', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}`);
    expect(got.body.headers).toEqual(redactedView);
    const list = await herald.api('GET', `/api/v1/tenants/${tenant}/endpoints`);
    expect(list.body.data[0].headers).toEqual(redactedView);
    expect(JSON.stringify(list.body)).not.toContain('customer-credential');
  });

  it('are sent as given, and the attempt log keeps them redacted', async () => {
    const event = await publish(herald, tenant, 'headers.sealed', { n: 1 });
    const [request] = await receivedOn(receiver, '/hook', 1);
    const sent = flatHeaders(request!);
    expect(sent.authorization).toBe(SENSITIVE.Authorization);
    expect(sent['x-api-key']).toBe(SENSITIVE['X-Api-Key']);
    expect(sent['x-session-token']).toBe(SENSITIVE['X-Session-Token']);
    expect(sent.cookie).toBe(SENSITIVE.Cookie);
    const delivery = await deliveryFor(herald, tenant, endpoint.id, event.id);
    await waitForDelivery(herald, tenant, delivery.id, hasStatus('succeeded'));
    const logged = (await getDelivery(herald, tenant, delivery.id)).attempts[0]!.requestHeaders;
    expect(logged).toMatchObject({ Authorization: '[redacted]', 'X-Api-Key': '[redacted]', 'X-Session-Token': '[redacted]', Cookie: '[redacted]', 'webhook-signature': '[redacted]', ...PLAIN });
    expect(logged['webhook-id']).toBe(event.id);
  });

  it('are nowhere in the database file in clear', async () => {
    const bytes = databaseBytes(join(herald.dir, 'herald.db'));
    expect(bytes.includes(Buffer.from(PLAIN['X-Tenant-Region']))).toBe(true);
    for (const value of Object.values(SENSITIVE)) expect(bytes.includes(Buffer.from(value)), value).toBe(false);
  });

  it('a PATCH that sends [redacted] back keeps the stored value; a new value replaces it', async () => {
    const patched = await herald.api('PATCH', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}`, {
      headers: { ...redactedView, 'X-Api-Key': 'api-key-replaced-5e6f', 'X-Added': 'added' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.headers).toEqual({ ...redactedView, 'X-Added': 'added' });
    await publish(herald, tenant, 'headers.sealed', { n: 2 });
    const [, request] = await receivedOn(receiver, '/hook', 2);
    const sent = flatHeaders(request!);
    expect(sent.authorization).toBe(SENSITIVE.Authorization);
    expect(sent['x-api-key']).toBe('api-key-replaced-5e6f');
    expect(sent['x-added']).toBe('added');
    expect(databaseBytes(join(herald.dir, 'herald.db')).includes(Buffer.from('api-key-replaced-5e6f'))).toBe(false);
  });

  it('refuses [redacted] for a header that has no stored value', async () => {
    const refused = await herald.api('PATCH', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}`, { headers: { 'X-Other-Secret': '[redacted]' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/headers/X-Other-Secret' }] });
    const created = await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints`, { url: `${receiver.url}/x`, eventTypes: ['*'], headers: { Authorization: '[redacted]' } });
    expect(created.status).toBe(422);
  });
});
