import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../../src/signing/index.js';
import { generateSigningKey, publicKeyOf } from '../../../src/signing/ed25519-key.js';
import type { SignatureSettings } from '../../../src/domain/tenant.js';
import { MissingHeaderError, SignatureMismatchError, TimestampError, verifyWebhook, WebhookVerificationError, type SecretScheme } from './index.js';

// The verifier is checked against what Herald itself sends, and against the public
// libraries on the same inputs: each must accept and refuse alike.

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = JSON.stringify({ id: 'evt_01', type: 'chat.message', created_at: '2026-05-28T12:00:00.000Z', data: { text: 'hi' } });
const nowSeconds = Math.floor(Date.now() / 1000);

function herald(settings: SignatureSettings, secrets = [SECRET], timestampSeconds = nowSeconds, verifyToken: string | null = null) {
  return signatureHeaders({ settings, secrets, verifyToken, eventId: 'evt_01', eventType: 'chat.message', timestampSeconds, body });
}

describe.each<[SecretScheme, SignatureSettings]>([
  ['standard-webhooks', { scheme: 'standard-webhooks' }],
  ['timestamped-hex', { scheme: 'timestamped-hex', prefix: 'Mobieus' }],
  ['hub-sha256', { scheme: 'hub-sha256' }],
  ['body-hex', { scheme: 'body-hex', header: 'X-Mugib-Signature' }],
])('%s', (scheme, settings) => {
  const options = { scheme, secret: SECRET, prefix: settings.prefix, header: settings.header };

  it('accepts what Herald sends and answers the payload', async () => {
    await expect(verifyWebhook(body, herald(settings), options)).resolves.toEqual(JSON.parse(body));
  });

  it('refuses a tampered body', async () => {
    await expect(verifyWebhook(body.replace('hi', 'ho'), herald(settings), options)).rejects.toBeInstanceOf(SignatureMismatchError);
  });

  it('refuses another secret', async () => {
    await expect(verifyWebhook(body, herald(settings), { ...options, secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).rejects.toBeInstanceOf(SignatureMismatchError);
  });

  it('says which header is missing', async () => {
    await expect(verifyWebhook(body, {}, options)).rejects.toBeInstanceOf(MissingHeaderError);
  });
});

describe('timestamps and rotation', () => {
  it('refuses stale and future timestamps beyond the tolerance', async () => {
    // The clock is pinned: seconds pass between loading this file and running the test.
    const now = new Date(nowSeconds * 1000);
    const stale = herald({ scheme: 'standard-webhooks' }, [SECRET], nowSeconds - 301);
    await expect(verifyWebhook(body, stale, { secret: SECRET, now })).rejects.toMatchObject({ reason: 'too_old' });
    const future = herald({ scheme: 'timestamped-hex' }, [SECRET], nowSeconds + 301);
    await expect(verifyWebhook(body, future, { scheme: 'timestamped-hex', secret: SECRET, now })).rejects.toBeInstanceOf(TimestampError);
    await expect(verifyWebhook(body, stale, { secret: SECRET, toleranceSeconds: 600, now })).resolves.toBeTruthy();
  });

  it('accepts either secret while a rotation signs with both', async () => {
    const next = 'whsec_c2Vjb25kLXNlY3JldC1ieXRlcy1oZXJlIQ==';
    for (const settings of [{ scheme: 'standard-webhooks' }, { scheme: 'timestamped-hex' }] as Array<SignatureSettings & { scheme: SecretScheme }>) {
      const headers = herald(settings, [next, SECRET]);
      await expect(verifyWebhook(body, headers, { scheme: settings.scheme, secret: SECRET })).resolves.toBeTruthy();
      await expect(verifyWebhook(body, headers, { scheme: settings.scheme, secret: next })).resolves.toBeTruthy();
    }
  });

  it('keys hub-sha256 with the verify token when the endpoint has one', async () => {
    const headers = herald({ scheme: 'hub-sha256' }, [SECRET], nowSeconds, 'orki-verify-token');
    await expect(verifyWebhook(body, headers, { scheme: 'hub-sha256', secret: 'orki-verify-token' })).resolves.toBeTruthy();
  });
});

describe('ed25519 (v1a)', () => {
  const key = generateSigningKey();
  const options = { scheme: 'ed25519' as const, publicKey: publicKeyOf(key) };

  it('accepts what Herald sends, with the public key alone', async () => {
    await expect(verifyWebhook(body, herald({ scheme: 'ed25519' }, [key]), options)).resolves.toEqual(JSON.parse(body));
  });

  it('refuses a tampered body or timestamp, and another key pair', async () => {
    const headers = herald({ scheme: 'ed25519' }, [key]);
    await expect(verifyWebhook(body.replace('hi', 'ho'), headers, options)).rejects.toBeInstanceOf(SignatureMismatchError);
    const shifted = { ...headers, 'webhook-timestamp': String(nowSeconds - 1) };
    await expect(verifyWebhook(body, shifted, options)).rejects.toBeInstanceOf(SignatureMismatchError);
    const other = { ...options, publicKey: publicKeyOf(generateSigningKey()) };
    await expect(verifyWebhook(body, headers, other)).rejects.toBeInstanceOf(SignatureMismatchError);
  });

  it('refuses v1 (HMAC) signatures in place of v1a, and a malformed key', async () => {
    await expect(verifyWebhook(body, herald({ scheme: 'standard-webhooks' }), options)).rejects.toBeInstanceOf(SignatureMismatchError);
    await expect(verifyWebhook(body, herald({ scheme: 'ed25519' }, [key]), { ...options, publicKey: 'whpk_short' })).rejects.toBeInstanceOf(WebhookVerificationError);
  });

  it('accepts either key while a rotation signs with both', async () => {
    const next = generateSigningKey();
    const headers = herald({ scheme: 'ed25519' }, [next, key]);
    await expect(verifyWebhook(body, headers, options)).resolves.toBeTruthy();
    await expect(verifyWebhook(body, headers, { ...options, publicKey: publicKeyOf(next) })).resolves.toBeTruthy();
  });

  it('refuses stale timestamps', async () => {
    const stale = herald({ scheme: 'ed25519' }, [key], nowSeconds - 301);
    await expect(verifyWebhook(body, stale, { ...options, now: new Date(nowSeconds * 1000) })).rejects.toMatchObject({ reason: 'too_old' });
  });
});

describe('agrees with the public libraries', () => {
  const cases = [
    { name: 'genuine', headers: () => herald({ scheme: 'standard-webhooks' }), body },
    { name: 'tampered body', headers: () => herald({ scheme: 'standard-webhooks' }), body: body.replace('hi', 'ho') },
    { name: 'stale', headers: () => herald({ scheme: 'standard-webhooks' }, [SECRET], nowSeconds - 400), body },
  ];

  it.each(cases)('standardwebhooks and svix on a $name delivery', async ({ headers, body: received }) => {
    const accepts = (verify: () => unknown) => {
      try {
        verify();
        return true;
      } catch {
        return false;
      }
    };
    const ours = await verifyWebhook(received, headers(), { secret: SECRET }).then(() => true, () => false);
    expect(accepts(() => new StandardWebhook(SECRET).verify(received, headers()))).toBe(ours);
    expect(accepts(() => new SvixWebhook(SECRET).verify(received, headers()))).toBe(ours);
  });

  it.each([true, false])('stripe on a Stripe-Signature delivery (genuine: %s)', async (genuine) => {
    const headers = herald({ scheme: 'timestamped-hex', prefix: 'Stripe' });
    const received = genuine ? body : body.replace('hi', 'ho');
    const ours = await verifyWebhook(received, headers, { scheme: 'timestamped-hex', prefix: 'Stripe', secret: SECRET }).then(() => true, () => false);
    let stripe = true;
    try {
      Stripe.webhooks.constructEvent(received, headers['Stripe-Signature']!, SECRET);
    } catch {
      stripe = false;
    }
    expect([ours, stripe]).toEqual([genuine, genuine]);
  });

  it.each([true, false])('@octokit/webhooks-methods on hub-sha256 (genuine: %s)', async (genuine) => {
    const headers = herald({ scheme: 'hub-sha256' });
    const received = genuine ? body : body.replace('hi', 'ho');
    const ours = await verifyWebhook(received, headers, { scheme: 'hub-sha256', secret: SECRET }).then(() => true, () => false);
    expect([ours, await octokitVerify(SECRET, received, headers['X-Hub-Signature-256']!)]).toEqual([genuine, genuine]);
  });
});
