import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret } from './secrets.js';
import { signatureHeaders, type SignInput } from './sign-request.js';

const body = JSON.stringify({ id: 'evt_1', type: 'chat.message', created_at: '2026-05-28T12:34:56.123Z', data: { text: 'مرحبا 👋', n: 1.5 } });

function sign(secrets: string[], header?: string) {
  const input: SignInput = {
    settings: header === undefined ? { scheme: 'body-hex' } : { scheme: 'body-hex', header },
    secrets,
    verifyToken: 'ignored-by-this-scheme',
    eventId: 'evt_1',
    eventType: 'chat.message',
    timestampSeconds: 1716902400,
    body,
  };
  return signatureHeaders(input);
}

// Mugib's published receiver: it re-serialises the parsed body (express.json()) before hashing.
function mugibAccepts(headers: Record<string, string>, rawBody: string, secret: string): boolean {
  const req = { headers: lowercase(headers), body: JSON.parse(rawBody) as unknown };
  const signature = req.headers['x-mugib-signature'];
  const expected = createHmac('sha256', secret).update(JSON.stringify(req.body)).digest('hex');
  return signature === expected;
}

const lowercase = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('body-hex', () => {
  it("passes Mugib's receiver under its own header, whsec_ prefix included in the key", () => {
    const secret = generateSecret();
    const headers = sign([secret], 'X-Mugib-Signature');
    expect(mugibAccepts(headers, body, secret)).toBe(true);
    expect(mugibAccepts(headers, body, generateSecret())).toBe(false);
    expect(mugibAccepts(headers, body.replace('1.5', '2'), secret)).toBe(false);
  });

  it('defaults to X-Herald-Signature with a bare hex digest', () => {
    const headers = sign(['shh']);
    expect(headers).toEqual({ 'X-Herald-Signature': createHmac('sha256', 'shh').update(body).digest('hex') });
  });

  it('switches at once on rotation: only the newest secret signs', () => {
    const [next, prev] = [generateSecret(), generateSecret()];
    const headers = sign([next, prev], 'X-Mugib-Signature');
    expect(mugibAccepts(headers, body, next)).toBe(true);
    expect(mugibAccepts(headers, body, prev)).toBe(false);
  });

  it('sends no header when unsigned (Mugib lets the secret be empty)', () => {
    expect(sign([], 'X-Mugib-Signature')).toEqual({});
  });
});
