import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Endpoint secrets at rest: AES-256-GCM under HERALD_ENCRYPTION_KEY, sealed as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). The version lets a later key or cipher
 * change coexist with rows sealed before it.
 */
export class SecretBox {
  // A KeyObject rather than the raw Buffer: inspecting or logging the box shows no key bytes.
  readonly #key: KeyObject;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new Error(`SecretBox needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
    }
    this.#key = createSecretKey(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
    return [VERSION, ...parts].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
      throw new Error('SecretBox: not a sealed secret (expected v1.<iv>.<tag>.<ciphertext>)');
    }
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    // Node accepts GCM tags as short as 4 bytes unless told otherwise; a short tag is forgeable.
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new Error('SecretBox: sealed secret has a malformed IV or tag');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tagBytes);
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      throw new Error('SecretBox: cannot open sealed secret: wrong encryption key or tampered data');
    }
  }

  /** Parses HERALD_ENCRYPTION_KEY. The message never echoes the value: it is a secret. */
  static parseKey(base64: string): Buffer {
    const text = base64.trim();
    // Buffer.from skips characters that are not base64, so check the alphabet first.
    const key = /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
    if (key === null || key.length !== KEY_BYTES) {
      throw new Error(
        `HERALD_ENCRYPTION_KEY must be ${KEY_BYTES} random bytes in base64 (44 characters, ` +
          `e.g. from \`openssl rand -base64 32\`); ` +
          (key === null ? 'it is not valid base64' : `it decodes to ${key.length} bytes`),
      );
    }
    return key;
  }

  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }
}
