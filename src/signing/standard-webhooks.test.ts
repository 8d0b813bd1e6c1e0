import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { generateSecret } from './secrets.js';
import { signatureHeaders, type SignInput } from './sign-request.js';

const body = JSON.stringify({ id: 'evt_1', type: 'chat.message', data: { text: 'مرحبا ☕' } });

function sign(secrets: string[], over: Partial<SignInput> = {}) {
  return signatureHeaders({
    settings: { scheme: 'standard-webhooks' },
    secrets,
    verifyToken: null,
    eventId: 'evt_1',
    eventType: 'chat.message',
    timestampSeconds: Math.floor(Date.now() / 1000),
    body,
    ...over,
  });
}

// svix's Webhook wraps standardwebhooks, but both are the libraries receivers install.
const libraries = [
  ['standardwebhooks', (secret: string | Uint8Array, raw = false) => new StandardWebhook(secret, raw ? { format: 'raw' } : undefined)],
  ['svix', (secret: string | Uint8Array, raw = false) => new SvixWebhook(secret, raw ? { format: 'raw' } : undefined)],
] as const;

describe.each(libraries)('standard-webhooks verified by %s', (_name, webhook) => {
  it('verifies a whsec_ secret', () => {
    const secret = generateSecret();
    expect(webhook(secret).verify(body, sign([secret]))).toEqual(JSON.parse(body));
  });

  it('carries both signatures during a rotation, each verifying alone', () => {
    const [next, prev] = [generateSecret(), generateSecret()];
    const headers = sign([next, prev]);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => webhook(next).verify(body, headers)).not.toThrow();
    expect(() => webhook(prev).verify(body, headers)).not.toThrow();
  });

  it('rejects a tampered body and a wrong secret', () => {
    const secret = generateSecret();
    const headers = sign([secret]);
    expect(() => webhook(secret).verify(body.replace('evt_1', 'evt_2'), headers)).toThrow();
    expect(() => webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it("keys a customer's own secret by its UTF-8 bytes", () => {
    const secret = 'mä-own-secret';
    const headers = sign([secret]);
    // The libraries express a raw key only with `format: 'raw'`, and only as bytes: a raw
    // string is read one UTF-16 code unit per byte, which mangles non-ASCII secrets.
    expect(() => webhook(Buffer.from(secret, 'utf8'), true).verify(body, headers)).not.toThrow();
    expect(() => webhook(secret, true).verify(body, headers)).toThrow();
  });
});

describe('standard-webhooks headers', () => {
  it('signs id.timestamp.body with the base64-decoded whsec_ bytes', () => {
    const key = Buffer.alloc(24, 7);
    const headers = sign([`whsec_${key.toString('base64')}`], { timestampSeconds: 1716902400 });
    const expected = createHmac('sha256', key).update(`evt_1.1716902400.${body}`).digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'evt_1',
      'webhook-timestamp': '1716902400',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('sends id and timestamp but no signature when unsigned', () => {
    expect(sign([], { timestampSeconds: 1716902400 })).toEqual({
      'webhook-id': 'evt_1',
      'webhook-timestamp': '1716902400',
    });
  });
});
