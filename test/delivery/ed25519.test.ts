import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../packages/verify/src/index.js';
import { createEndpoint, createTenant, ensureEventType, flatHeaders, publish, receivedOn, type TenantSettingsInput } from '../support/delivery.js';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver, type Received } from '../support/receiver.js';

let herald: TestHerald;
let receiver: Receiver;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start();
  await ensureEventType(herald, 'order.paid', { orderId: 'o-example' });
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

/** A receiver's check with node:crypto and nothing but the `whpk_` key Herald showed. */
function verifiesWith(publicKey: string, request: Received, body = request.body): boolean {
  const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  const headers = flatHeaders(request);
  const signed = Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`);
  return headers['webhook-signature']!
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verify(null, signed, key, Buffer.from(entry.slice(4), 'base64')));
}

async function ed25519Endpoint(path: string, settings: TenantSettingsInput & { signature?: unknown } = {}) {
  const tenantId = await createTenant(herald, { retrySchedule: [0, 1], ...settings } as TenantSettingsInput);
  const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}${path}`, eventTypes: ['order.paid'], signature: { scheme: 'ed25519' } });
  return { tenantId, endpoint };
}

describe('ed25519 endpoints', () => {
  it('show the public key, never a secret, and sign deliveries a receiver verifies with it alone', async () => {
    const { tenantId, endpoint } = await ed25519Endpoint('/ed-basic');
    expect(endpoint.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).not.toHaveProperty('secret');
    const fetched = await herald.api('GET', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/public-key`);
    expect(fetched.body).toEqual({ publicKey: endpoint.publicKey });

    await publish(herald, tenantId, 'order.paid', { orderId: 'o-1', total: 12.5 });
    const [request] = await receivedOn(receiver, '/ed-basic', 1);
    expect(flatHeaders(request!)['webhook-signature']).toMatch(/^v1a,/);
    expect(verifiesWith(endpoint.publicKey, request!)).toBe(true);
    expect(verifiesWith(endpoint.publicKey, request!, request!.body.replace('12.5', '99'))).toBe(false);
    await expect(verifyWebhook(request!.body, flatHeaders(request!), { scheme: 'ed25519', publicKey: endpoint.publicKey })).resolves.toMatchObject({ data: { orderId: 'o-1' } });
  });

  it('take the scheme from the tenant, and refuse a customer-chosen secret', async () => {
    const tenantId = await createTenant(herald, { signature: { scheme: 'ed25519' } } as TenantSettingsInput);
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/ed-tenant`, eventTypes: ['order.paid'] });
    expect(endpoint.publicKey).toMatch(/^whpk_/);
    const refused = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints`, { url: `${receiver.url}/x`, eventTypes: ['order.paid'], secret: 'my-own-secret' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0].path).toBe('/secret');
  });

  it('sign with both keys during a rotation grace period, then the new one alone', async () => {
    const { tenantId, endpoint } = await ed25519Endpoint('/ed-rotate');
    const rotated = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/rotate-secret`, { gracePeriodSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['publicKey']);
    expect(rotated.body.publicKey).not.toBe(endpoint.publicKey);

    await publish(herald, tenantId, 'order.paid', { orderId: 'o-2' });
    const [during] = await receivedOn(receiver, '/ed-rotate', 1);
    expect(flatHeaders(during!)['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifiesWith(endpoint.publicKey, during!)).toBe(true);
    expect(verifiesWith(rotated.body.publicKey, during!)).toBe(true);

    const again = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/rotate-secret`, { gracePeriodSeconds: 0 });
    await publish(herald, tenantId, 'order.paid', { orderId: 'o-3' });
    const after = (await receivedOn(receiver, '/ed-rotate', 2))[1]!;
    expect(flatHeaders(after)['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifiesWith(again.body.publicKey, after)).toBe(true);
    expect(verifiesWith(rotated.body.publicKey, after)).toBe(false);
  });

  it('a shared-secret endpoint moved to ed25519 gets a key pair at once, its old secret signing beside it', async () => {
    const tenantId = await createTenant(herald, { retrySchedule: [0] });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/ed-move`, eventTypes: ['order.paid'] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const noKey = await herald.api('GET', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/public-key`);
    expect(noKey.status).toBe(409);

    const moved = await herald.api('PATCH', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}`, { signature: { scheme: 'ed25519' } });
    expect(moved.status).toBe(200);
    expect(moved.body.publicKey).toMatch(/^whpk_/);
    expect(moved.body).not.toHaveProperty('secret');
    const later = await herald.api('PATCH', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}`, { description: 'unchanged key' });
    expect(later.body).not.toHaveProperty('publicKey');

    await publish(herald, tenantId, 'order.paid', { orderId: 'o-4' });
    const [request] = await receivedOn(receiver, '/ed-move', 1);
    expect(verifiesWith(moved.body.publicKey, request!)).toBe(true);
    // Receivers not yet moved keep verifying with the old secret during the grace period.
    await expect(verifyWebhook(request!.body, flatHeaders(request!), { secret: endpoint.secret! })).resolves.toBeTruthy();
  });

  it('test sends are signed the same way', async () => {
    const { tenantId, endpoint } = await ed25519Endpoint('/ed-test');
    const sent = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/test`, {});
    expect(sent.body.success).toBe(true);
    const [request] = await receivedOn(receiver, '/ed-test', 1);
    expect(verifiesWith(endpoint.publicKey, request!)).toBe(true);
  });
});
