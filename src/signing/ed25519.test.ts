import { createPublicKey, verify } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicKeyOf } from './ed25519-key.js';
import { generateEndpointKey, generateSecret } from './secrets.js';
import { signatureHeaders } from './sign-request.js';

const body = JSON.stringify({ id: 'evt_1', type: 'order.paid', data: { total: 12.5, note: 'مرحبا' } });
const timestampSeconds = 1_790_000_000;

function sign(secrets: string[], over: { body?: string } = {}) {
  return signatureHeaders({
    settings: { scheme: 'ed25519' },
    secrets,
    verifyToken: null,
    eventId: 'evt_1',
    eventType: 'order.paid',
    timestampSeconds,
    body: over.body ?? body,
  });
}

/** What a receiver does with nothing but the `whpk_` public key and node:crypto. */
function receiverVerifies(publicKey: string, headers: Record<string, string>, receivedBody: string): boolean {
  const raw = Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64');
  // An Ed25519 SPKI is a fixed 12-byte DER header followed by the 32 raw key bytes.
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  const signed = Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${receivedBody}`);
  return (headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verify(null, signed, key, Buffer.from(entry.slice(4), 'base64')));
}

describe('ed25519 (Standard Webhooks v1a)', () => {
  it('signs id.timestamp.body, verifiable from the public key alone', () => {
    const key = generateSigningKey();
    const publicKey = publicKeyOf(key);
    expect(key).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const headers = sign([key]);
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(timestampSeconds));
    expect(headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(receiverVerifies(publicKey, headers, body)).toBe(true);
  });

  it('fails for a tampered body, a tampered timestamp or another key', () => {
    const key = generateSigningKey();
    const headers = sign([key]);
    expect(receiverVerifies(publicKeyOf(key), headers, body.replace('12.5', '125'))).toBe(false);
    expect(receiverVerifies(publicKeyOf(key), { ...headers, 'webhook-timestamp': String(timestampSeconds + 1) }, body)).toBe(false);
    expect(receiverVerifies(publicKeyOf(generateSigningKey()), headers, body)).toBe(false);
  });

  it('signs with both keys during a rotation, each verifying alone', () => {
    const [next, previous] = [generateSigningKey(), generateSigningKey()];
    const headers = sign([next, previous]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(receiverVerifies(publicKeyOf(next), headers, body)).toBe(true);
    expect(receiverVerifies(publicKeyOf(previous), headers, body)).toBe(true);
  });

  it('moving from a shared secret to a key pair carries v1 and v1a, so both kinds of receiver verify', () => {
    const [key, secret] = [generateSigningKey(), generateSecret()];
    // standardwebhooks checks the timestamp against its clock, so this one is signed now.
    const headers = signatureHeaders({
      settings: { scheme: 'ed25519' },
      secrets: [key, secret],
      verifyToken: null,
      eventId: 'evt_1',
      eventType: 'order.paid',
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
    });
    expect(receiverVerifies(publicKeyOf(key), headers, body)).toBe(true);
    // The shared-secret library passes over the v1a entry and verifies the v1 one beside it.
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('shows only the public key of a generated ed25519 key, and the secret of a shared one', () => {
    const pair = generateEndpointKey('ed25519');
    expect(pair.shown).toEqual({ publicKey: publicKeyOf(pair.secret) });
    const shared = generateEndpointKey('standard-webhooks');
    expect(shared.shown).toEqual({ secret: shared.secret });
    expect(shared.secret).toMatch(/^whsec_/);
  });
});
