import { createHmac, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { generateSecret } from './secrets.js';
import { signatureHeaders, type SignInput } from './sign-request.js';

const body = JSON.stringify({ id: 'evt_1', type: 'ticket.created', created_at: '2026-05-28T12:34:56.123Z', data: { title: 'تذكرة' } });
const stripe = new Stripe('sk_test_x');

function sign(secrets: string[], over: Partial<SignInput> = {}) {
  return signatureHeaders({
    settings: { scheme: 'timestamped-hex', prefix: 'Stripe' },
    secrets,
    verifyToken: null,
    eventId: 'evt_1',
    eventType: 'ticket.created',
    timestampSeconds: Math.floor(Date.now() / 1000),
    body,
    ...over,
  });
}

const stripeHeader = (headers: Record<string, string>) => headers['Stripe-Signature'] ?? '';

// mobieusCore's published receiver, verbatim apart from taking the secret as an argument.
function verifyMobieusSignature(header: string | undefined, rawBody: string, secret: string): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = parseInt(parts.t, 10);
  const v1 = parts.v1;
  if (!t || !v1) return false;
  if (Math.abs(Math.floor(Date.now() / 1000) - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(v1, 'hex'));
}

describe('timestamped-hex verified by Stripe', () => {
  it('verifies with the secret string as shown, whsec_ prefix included', () => {
    const secret = generateSecret();
    const event = stripe.webhooks.constructEvent(body, stripeHeader(sign([secret])), secret);
    expect(event).toEqual(JSON.parse(body));
  });

  it('carries a v1 per secret during a rotation, each verifying alone', () => {
    const [next, prev] = [generateSecret(), generateSecret()];
    const header = stripeHeader(sign([next, prev]));
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(() => stripe.webhooks.constructEvent(body, header, next)).not.toThrow();
    expect(() => Stripe.webhooks.constructEvent(body, header, prev)).not.toThrow();
  });

  it('rejects a tampered body, a wrong secret and a stale timestamp', () => {
    const secret = generateSecret();
    const header = stripeHeader(sign([secret]));
    expect(() => stripe.webhooks.constructEvent(body.replace('تذكرة', 'x'), header, secret)).toThrow();
    expect(() => stripe.webhooks.constructEvent(body, header, generateSecret())).toThrow();
    const stale = stripeHeader(sign([secret], { timestampSeconds: Math.floor(Date.now() / 1000) - 3600 }));
    expect(() => stripe.webhooks.constructEvent(body, stale, secret)).toThrow(/tolerance/);
  });

  it("verifies a customer's own secret", () => {
    const secret = 'customer chose this';
    expect(() => stripe.webhooks.constructEvent(body, stripeHeader(sign([secret])), secret)).not.toThrow();
  });
});

describe('timestamped-hex headers', () => {
  it('defaults to the Herald prefix and adds event id and type', () => {
    const secret = 'shh';
    const headers = sign([secret], { settings: { scheme: 'timestamped-hex' }, timestampSeconds: 1716902400 });
    const hex = createHmac('sha256', secret).update(`1716902400.${body}`).digest('hex');
    expect(headers).toEqual({
      'Herald-Signature': `t=1716902400,v1=${hex}`,
      'Herald-Event-Id': 'evt_1',
      'Herald-Event-Type': 'ticket.created',
    });
  });

  it('sends event id and type but no signature when unsigned', () => {
    expect(Object.keys(sign([]))).toEqual(['Stripe-Event-Id', 'Stripe-Event-Type']);
  });

  it("passes mobieusCore's receiver, which reads only the last v1 of a rotation", () => {
    const [next, prev] = [generateSecret(), generateSecret()];
    const settings = { scheme: 'timestamped-hex', prefix: 'Mobieus' } as const;
    expect(verifyMobieusSignature(sign([next], { settings })['Mobieus-Signature'], body, next)).toBe(true);
    const rotating = sign([next, prev], { settings })['Mobieus-Signature'];
    // Old secret last: receivers not yet moved to the new secret keep working through the grace period.
    expect(verifyMobieusSignature(rotating, body, prev)).toBe(true);
    expect(verifyMobieusSignature(rotating, body, next)).toBe(false);
  });
});
