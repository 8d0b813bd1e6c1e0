import { verify as githubVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Received } from '../support/receiver.js';
import { createEndpoint, createTenant, defineCatalog, header, publish, requestFor, startSeedFixture, type SeedFixture } from '../support/seeds.js';

/**
 * The design's promise that receivers verify with well-known public libraries, not only
 * Herald's: the same deliveries checked by the official Standard Webhooks library, Svix's,
 * Stripe's `constructEvent` (a timestamped-hex tenant with prefix `Stripe`) and GitHub's
 * `@octokit/webhooks-methods`; then secret rotation, where both secrets verify during the
 * grace period and only the new one after a rotation without grace.
 */

let fx: SeedFixture;
const stripe = new Stripe('sk_test_x');

const TENANTS = {
  standard: { signature: { scheme: 'standard-webhooks' } },
  stripe: { signature: { scheme: 'timestamped-hex', prefix: 'Stripe' } },
  github: { signature: { scheme: 'hub-sha256' } },
};

type Verifier = (request: Received, secret: string) => Promise<unknown>;

const headersOf = (request: Received) => request.headers as Record<string, string>;
const verifiers: Record<string, Verifier> = {
  standardwebhooks: async (request, secret) => new StandardWebhook(secret).verify(request.body, headersOf(request)),
  svix: async (request, secret) => new SvixWebhook(secret).verify(request.body, headersOf(request)),
  'stripe (static)': async (request, secret) => Stripe.webhooks.constructEvent(request.body, header(request, 'stripe-signature')!, secret),
  'stripe (instance)': async (request, secret) => stripe.webhooks.constructEvent(request.body, header(request, 'stripe-signature')!, secret),
  '@octokit/webhooks-methods': async (request, secret) => {
    if (!(await githubVerify(secret, request.body, header(request, 'x-hub-signature-256')!))) throw new Error('signature does not match');
    return JSON.parse(request.body);
  },
};
const SCHEME_VERIFIERS: Record<keyof typeof TENANTS, string[]> = {
  standard: ['standardwebhooks', 'svix'],
  stripe: ['stripe (static)', 'stripe (instance)'],
  github: ['@octokit/webhooks-methods'],
};

async function passes(verifier: string, request: Received, secret: string): Promise<boolean> {
  try {
    const payload = (await verifiers[verifier]!(request, secret)) as { id: string };
    expect(payload.id).toBe(JSON.parse(request.body).id);
    return true;
  } catch {
    return false;
  }
}

/** One endpoint per tenant, by path; answers the event's request as received. */
async function endpointFor(tenant: keyof typeof TENANTS, path: string): Promise<{ id: string; secret: string }> {
  const created = await createEndpoint(fx.herald, tenant, { url: `${fx.receiver.url}${path}`, eventTypes: ['order.*'] });
  return { id: created.id, secret: created.secret };
}

async function deliver(tenant: keyof typeof TENANTS, path: string, data: unknown): Promise<Received> {
  const event = await publish(fx.herald, tenant, 'order.paid', data);
  return requestFor(fx.receiver, path, event.id);
}

async function rotate(tenant: string, endpointId: string, body: Record<string, unknown> = {}): Promise<string> {
  const rotated = await fx.herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpointId}/rotate-secret`, body);
  expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
  expect(rotated.body.secret).toMatch(/^whsec_/);
  return rotated.body.secret;
}

beforeAll(async () => {
  fx = await startSeedFixture();
  await defineCatalog(fx.herald, [{ name: 'order.paid', description: 'An order was paid', example: { order_id: 'ord_1' } }]);
  for (const [id, settings] of Object.entries(TENANTS)) await createTenant(fx.herald, id, `${id} receivers`, settings);
});
afterAll(async () => fx.close());

describe('public verifiers accept Herald deliveries', () => {
  for (const tenant of Object.keys(TENANTS) as Array<keyof typeof TENANTS>) {
    it(`${tenant}: ${SCHEME_VERIFIERS[tenant].join(', ')}`, async () => {
      const { secret } = await endpointFor(tenant, `/${tenant}`);
      const request = await deliver(tenant, `/${tenant}`, { order_id: 'ord_42', total: 12.5, note: 'ünïcödé ✓' });
      if (tenant === 'stripe') {
        expect(header(request, 'stripe-signature')).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        expect(header(request, 'stripe-event-id')).toBe(JSON.parse(request.body).id);
        expect(header(request, 'stripe-event-type')).toBe('order.paid');
      }
      for (const verifier of SCHEME_VERIFIERS[tenant]) {
        expect(await passes(verifier, request, secret), verifier).toBe(true);
        // And they do check: another secret of the same shape fails.
        expect(await passes(verifier, request, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), verifier).toBe(false);
      }
    });
  }
});

describe('secret rotation', () => {
  it('standard-webhooks: two space-separated signatures during the grace period, each secret verifies; without grace only the new one', async () => {
    const { id, secret: original } = await endpointFor('standard', '/std-rotation');
    const before = await deliver('standard', '/std-rotation', { n: 1 });
    expect(header(before, 'webhook-signature')!.split(' ')).toHaveLength(1);

    const rotated = await rotate('standard', id);
    const during = await deliver('standard', '/std-rotation', { n: 2 });
    expect(header(during, 'webhook-signature')).toMatch(/^v1,\S+ v1,\S+$/);
    for (const verifier of SCHEME_VERIFIERS.standard) {
      expect(await passes(verifier, during, original), `${verifier} with the old secret`).toBe(true);
      expect(await passes(verifier, during, rotated), `${verifier} with the new secret`).toBe(true);
    }

    const latest = await rotate('standard', id, { gracePeriodSeconds: 0 });
    const after = await deliver('standard', '/std-rotation', { n: 3 });
    expect(header(after, 'webhook-signature')!.split(' ')).toHaveLength(1);
    for (const verifier of SCHEME_VERIFIERS.standard) {
      expect(await passes(verifier, after, latest), `${verifier} with the newest secret`).toBe(true);
      expect(await passes(verifier, after, rotated), `${verifier} with the replaced secret`).toBe(false);
      expect(await passes(verifier, after, original), `${verifier} with the first secret`).toBe(false);
    }
  });

  it('timestamped-hex (Stripe): two v1= during the grace period, each secret verifies; without grace only the new one', async () => {
    const { id, secret: original } = await endpointFor('stripe', '/stripe-rotation');
    const rotated = await rotate('stripe', id, { gracePeriodSeconds: 3600 });
    const during = await deliver('stripe', '/stripe-rotation', { n: 1 });
    expect(header(during, 'stripe-signature')).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const verifier of SCHEME_VERIFIERS.stripe) {
      expect(await passes(verifier, during, original), `${verifier} with the old secret`).toBe(true);
      expect(await passes(verifier, during, rotated), `${verifier} with the new secret`).toBe(true);
    }

    const latest = await rotate('stripe', id, { gracePeriodSeconds: 0 });
    const after = await deliver('stripe', '/stripe-rotation', { n: 2 });
    expect(header(after, 'stripe-signature')).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    for (const verifier of SCHEME_VERIFIERS.stripe) {
      expect(await passes(verifier, after, latest), `${verifier} with the newest secret`).toBe(true);
      expect(await passes(verifier, after, rotated), `${verifier} with the replaced secret`).toBe(false);
    }
  });

  it('hub-sha256 has room for one signature, so a rotation switches at once', async () => {
    const { id, secret: original } = await endpointFor('github', '/github-rotation');
    const rotated = await rotate('github', id);
    const after = await deliver('github', '/github-rotation', { n: 1 });
    expect(header(after, 'x-hub-signature-256')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await passes('@octokit/webhooks-methods', after, rotated)).toBe(true);
    expect(await passes('@octokit/webhooks-methods', after, original)).toBe(false);
  });
});
