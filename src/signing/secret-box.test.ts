import { createCipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const newBox = () => new SecretBox(SecretBox.parseKey(SecretBox.generateKey()));

/** Flips one bit of one decoded part, so the change is real and not lost in base64 padding bits. */
function tamper(sealed: string, part: 2 | 3 | 4): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  it('round-trips, including non-ASCII and empty plaintext', () => {
    const box = newBox();
    for (const plain of ['whsec_abc', 'مفتاح سري 🔑', '']) expect(box.open(box.seal(plain))).toBe(plain);
  });

  it('seals in the v2 format naming its key, with a fresh IV each time', () => {
    const box = newBox();
    const [a, b] = [box.seal('same'), box.seal('same')];
    expect(a).toMatch(/^v2\.[\w-]{8}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a.split('.')[1]).toBe(box.sealingKeyId);
    expect(a).not.toBe(b);
  });

  it('with several keys, seals with the first and opens with any', () => {
    const [first, second] = [SecretBox.generateKey(), SecretBox.generateKey()];
    const old = new SecretBox(SecretBox.parseKey(second));
    const ring = new SecretBox(SecretBox.parseKeys(`${first}, ${second}`));
    const sealedByOld = old.seal('whsec_old');
    expect(ring.open(sealedByOld)).toBe('whsec_old');
    expect(ring.isSealedByCurrentKey(sealedByOld)).toBe(false);
    const resealed = ring.reseal(sealedByOld);
    expect(ring.isSealedByCurrentKey(resealed)).toBe(true);
    expect(new SecretBox(SecretBox.parseKey(first)).open(resealed)).toBe('whsec_old');
    expect(() => old.open(resealed)).toThrow(/not among the configured keys/);
    expect(ring.reseal(resealed)).toBe(resealed);
  });

  it('opens the first release\'s v1 values (no key id) with any of its keys', () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    const ct = Buffer.concat([cipher.update('legacy', 'utf8'), cipher.final()]);
    const v1 = ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    const ring = new SecretBox([randomBytes(32), key]);
    expect(ring.open(v1)).toBe('legacy');
    expect(ring.isSealedByCurrentKey(v1)).toBe(false);
    expect(() => newBox().open(v1)).toThrow(/wrong encryption key/);
  });

  it('refuses a wrong key', () => {
    expect(() => newBox().open(newBox().seal('x'))).toThrow(/wrong encryption key/);
  });

  it('refuses tampered IV, tag or ciphertext, and malformed input', () => {
    const box = newBox();
    const sealed = box.seal('whsec_secret');
    for (const part of [2, 3, 4] as const) expect(() => box.open(tamper(sealed, part))).toThrow(/SecretBox/);
    const [, kid, iv, tag, ct] = sealed.split('.');
    expect(() => box.open(`v2.${kid}.${iv}.${tag?.slice(0, 8)}.${ct}`)).toThrow(/malformed/);
    expect(() => box.open(`v3.${kid}.${iv}.${tag}.${ct}`)).toThrow(/not a sealed secret/);
    expect(() => box.open('whsec_plaintext')).toThrow(/not a sealed secret/);
  });

  it('keeps the key out of inspection', () => {
    const key = randomBytes(32);
    expect(inspect(new SecretBox(key))).not.toContain(key.toString('hex').slice(0, 8));
  });

  it('parses a 32-byte base64 key and explains anything else without echoing it', () => {
    const text = SecretBox.generateKey();
    expect(SecretBox.parseKey(`${text}\n`)).toEqual(Buffer.from(text, 'base64'));
    expect(() => SecretBox.parseKey(randomBytes(16).toString('base64'))).toThrow(/32 random bytes.*decodes to 16 bytes/);
    expect(() => SecretBox.parseKey('not base64!')).toThrow(/not valid base64/);
    expect(() => SecretBox.parseKey('')).toThrow(/decodes to 0 bytes/);
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32-byte key/);
  });
});
