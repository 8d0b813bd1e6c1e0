import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const newBox = () => new SecretBox(SecretBox.parseKey(SecretBox.generateKey()));

/** Flips one bit of one decoded part, so the change is real and not lost in base64 padding bits. */
function tamper(sealed: string, part: 1 | 2 | 3): string {
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

  it('seals in the compact v1 format with a fresh IV each time', () => {
    const box = newBox();
    const [a, b] = [box.seal('same'), box.seal('same')];
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toBe(b);
  });

  it('refuses a wrong key', () => {
    expect(() => newBox().open(newBox().seal('x'))).toThrow(/wrong encryption key or tampered/);
  });

  it('refuses tampered IV, tag or ciphertext, and malformed input', () => {
    const box = newBox();
    const sealed = box.seal('whsec_secret');
    for (const part of [1, 2, 3] as const) expect(() => box.open(tamper(sealed, part))).toThrow(/SecretBox/);
    const [, iv, tag, ct] = sealed.split('.');
    expect(() => box.open(`v1.${iv}.${tag?.slice(0, 8)}.${ct}`)).toThrow(/malformed/);
    expect(() => box.open(`v2.${iv}.${tag}.${ct}`)).toThrow(/not a sealed secret/);
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
