import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { generateSecret } from './secrets.js';
import { signatureHeaders, type SignInput } from './sign-request.js';

const body = JSON.stringify({ id: 'evt_1', type: 'meta.message', data: { from: '+971', text: 'أهلا' } });

function sign(secrets: string[], verifyToken: string | null) {
  const input: SignInput = {
    settings: { scheme: 'hub-sha256' },
    secrets,
    verifyToken,
    eventId: 'evt_1',
    eventType: 'meta.message',
    timestampSeconds: 1716902400,
    body,
  };
  return signatureHeaders(input);
}

const signature = (headers: Record<string, string>) => headers['X-Hub-Signature-256'] ?? '';

// Orki's published receiver.
function verifySignature(payload: string, sig: string, secret: string): boolean {
  const expected = 'sha256=' + createHmac('sha256', secret).update(payload).digest('hex');
  return sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
}

describe('hub-sha256 verified by @octokit/webhooks-methods', () => {
  it('keys by the verify token when there is one', async () => {
    const secret = generateSecret();
    const headers = sign([secret], 'orki-verify-token');
    expect(await verify('orki-verify-token', body, signature(headers))).toBe(true);
    expect(await verify(secret, body, signature(headers))).toBe(false);
    expect(verifySignature(body, signature(headers), 'orki-verify-token')).toBe(true);
  });

  it('signs with the verify token even on an endpoint without a secret', async () => {
    expect(await verify('orki-verify-token', body, signature(sign([], 'orki-verify-token')))).toBe(true);
  });

  it('keys by the newest secret, whsec_ prefix included, without a token', async () => {
    const [next, prev] = [generateSecret(), generateSecret()];
    const headers = sign([next, prev], null);
    expect(Object.keys(headers)).toEqual(['X-Hub-Signature-256']);
    expect(await verify(next, body, signature(headers))).toBe(true);
    expect(await verify(prev, body, signature(headers))).toBe(false);
  });

  it('rejects a tampered body', async () => {
    const headers = sign([], 'token');
    expect(await verify('token', body.replace('أهلا', 'hi'), signature(headers))).toBe(false);
  });

  it('sends nothing with neither token nor secret', () => {
    expect(sign([], null)).toEqual({});
  });
});
