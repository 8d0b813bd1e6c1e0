import { describe, expect, it } from 'vitest';
import { hmacKey } from './hmac-key.js';

describe('hmacKey', () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
  const whsec = `whsec_${bytes.toString('base64')}`;

  it('base64-decodes a whsec_ secret under standard-webhooks only', () => {
    expect(hmacKey(whsec, 'standard-webhooks')).toEqual(bytes);
    for (const scheme of ['timestamped-hex', 'hub-sha256', 'body-hex'] as const) {
      expect(hmacKey(whsec, scheme)).toEqual(Buffer.from(whsec, 'utf8'));
    }
  });

  it("uses a customer's own secret as UTF-8 under every scheme", () => {
    for (const scheme of ['standard-webhooks', 'timestamped-hex', 'hub-sha256', 'body-hex'] as const) {
      expect(hmacKey('sécret', scheme)).toEqual(Buffer.from('sécret', 'utf8'));
    }
  });
});
