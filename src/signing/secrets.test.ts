import { describe, expect, it } from 'vitest';
import { generateSecret } from './secrets.js';

describe('generateSecret', () => {
  it('is whsec_ + base64 of 24 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateSecret()).not.toBe(secret);
  });
});
