import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface BoxKey {
  id: string;
  key: KeyObject;
}

/** Enough for every endpoint of a busy process; past it the cache starts over. */
const OPENED_CACHE_SIZE = 10_000;

/**
 * Values at rest (endpoint secrets, verify tokens, sensitive header values): AES-256-GCM
 * under HERALD_ENCRYPTION_KEY, which may hold several keys: the first seals, all open.
 * Sealed as `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url), so a value names the key
 * that opens it and `herald rekey` can tell what still needs resealing. The key id is a
 * hash of the key: it says which key without saying anything about it. `v1.<iv>.<tag>.<ct>`
 * (the first release, one key, no id) still opens, with any of the keys.
 */
export class SecretBox {
  // KeyObjects rather than raw Buffers: inspecting or logging the box shows no key bytes.
  readonly #keys: BoxKey[];
  /**
   * Opened values by sealed text: every attempt opens its endpoint's secret, and AES-GCM with
   * its key setup was 3 % of a delivery's CPU (bench profile). Bounded; a sealed text always
   * opens to the same value, so an entry is never stale. The keys that open them are in this
   * process's memory anyway.
   */
  readonly #opened = new Map<string, string>();

  constructor(keys: Buffer | Buffer[]) {
    const list = Array.isArray(keys) ? keys : [keys];
    if (list.length === 0) throw new Error('SecretBox needs at least one key');
    for (const key of list) {
      if (key.length !== KEY_BYTES) throw new Error(`SecretBox needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
    }
    this.#keys = list.map((key) => ({ id: SecretBox.keyId(key), key: createSecretKey(key) }));
  }

  /** The id of the key that seals. */
  get sealingKeyId(): string {
    return this.#keys[0]!.id;
  }

  seal(plaintext: string): string {
    const { id, key } = this.#keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', id, ...[iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'))].join('.');
  }

  open(sealed: string): string {
    let value = this.#opened.get(sealed);
    if (value === undefined) {
      value = this.#openUncached(sealed);
      if (this.#opened.size >= OPENED_CACHE_SIZE) this.#opened.clear();
      this.#opened.set(sealed, value);
    }
    return value;
  }

  #openUncached(sealed: string): string {
    const parts = sealed.split('.');
    const [version] = parts;
    if (version === 'v2' && parts.length === 5) {
      const key = this.#keys.find((k) => k.id === parts[1]);
      if (!key) throw new Error(`SecretBox: wrong encryption key: sealed by key ${parts[1]}, which is not among the configured keys`);
      return decrypt(key.key, parts[2]!, parts[3]!, parts[4]!);
    }
    if (version === 'v1' && parts.length === 4) {
      for (const { key } of this.#keys) {
        try {
          return decrypt(key, parts[1]!, parts[2]!, parts[3]!);
        } catch (error) {
          if (/malformed/.test(String(error))) throw error;
        }
      }
      throw new Error('SecretBox: cannot open sealed secret: wrong encryption key or tampered data');
    }
    throw new Error('SecretBox: not a sealed secret (expected v2.<key id>.<iv>.<tag>.<ciphertext>)');
  }

  /** True when `value` is sealed and opens; for telling sealed from clear values during an upgrade. */
  opens(value: string): boolean {
    try {
      this.open(value);
      return true;
    } catch {
      return false;
    }
  }

  /** True when `sealed` was sealed by the first key: `herald rekey` leaves it as it is. */
  isSealedByCurrentKey(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.sealingKeyId}.`);
  }

  /** Opens with whichever key sealed it and seals with the first; unchanged when already current. */
  reseal(sealed: string): string {
    return this.isSealedByCurrentKey(sealed) ? sealed : this.seal(this.open(sealed));
  }

  /** Parses HERALD_ENCRYPTION_KEY: one or more keys, comma-separated, the sealing key first. */
  static parseKeys(text: string): Buffer[] {
    const keys = text.split(',').map((part) => part.trim()).filter(Boolean).map((part) => SecretBox.parseKey(part));
    if (keys.length === 0) throw new Error('HERALD_ENCRYPTION_KEY is empty: give one or more base64 keys, comma-separated');
    return keys;
  }

  /** Parses one key. The message never echoes the value: it is a secret. */
  static parseKey(base64: string): Buffer {
    const text = base64.trim();
    // Buffer.from skips characters that are not base64, so check the alphabet first.
    const key = /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
    if (key === null || key.length !== KEY_BYTES) {
      throw new Error(
        `HERALD_ENCRYPTION_KEY must be ${KEY_BYTES} random bytes in base64 (44 characters, ` +
          `e.g. from \`openssl rand -base64 32\`), several separated by commas; ` +
          (key === null ? 'one is not valid base64' : `one decodes to ${key.length} bytes`),
      );
    }
    return key;
  }

  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  /** 8 characters naming a key; domain-separated so it is not the hash of the key alone. */
  static keyId(key: Buffer): string {
    return createHash('sha256').update('herald key id\0').update(key).digest().subarray(0, 6).toString('base64url');
  }
}

function decrypt(key: KeyObject, iv: string, tag: string, ciphertext: string): string {
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  // Node accepts GCM tags as short as 4 bytes unless told otherwise; a short tag is forgeable.
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw new Error('SecretBox: sealed secret has a malformed IV or tag');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('SecretBox: cannot open sealed secret: wrong encryption key or tampered data');
  }
}
