import { HeraldError } from '../errors.js';
import { SecretBox } from '../signing/index.js';
import type { Store } from '../store/store.js';
import { createSecretFile, keyFilePath, readSecretFile } from './key-file.js';

/** Where the first release kept a generated key: in the clear, beside what it sealed. */
export const LEGACY_KEY_META = 'encryption_key';
export const KEY_CHECK_META = 'encryption_key_check';
const KEY_CHECK_PLAINTEXT = 'herald-encryption-key-check';

export interface LoadedKeys {
  box: SecretBox;
  /** Set when this start wrote the key file: said once at start. */
  keyFile: { path: string; movedFromDatabase: boolean } | null;
}

/**
 * The encryption keys: HERALD_ENCRYPTION_KEY when given; else, on SQLite, the key file
 * beside the database (created on the first start, or from the key an older release kept in
 * the `meta` table); on PostgreSQL, a refusal. Then the store's check value must open, so a
 * wrong key stops Herald before any wrong signature is sent.
 */
export async function loadKeys(store: Store, databaseUrl: string, configured: string | null): Promise<LoadedKeys> {
  let keyFile: LoadedKeys['keyFile'] = null;
  let text = configured;
  if (!text) {
    const found = await keyFromFile(store, databaseUrl);
    text = found.key;
    keyFile = found.created;
  }
  const box = new SecretBox(SecretBox.parseKeys(text));
  await checkKeys(store, box);
  return { box, keyFile };
}

async function keyFromFile(store: Store, databaseUrl: string): Promise<{ key: string; created: LoadedKeys['keyFile'] }> {
  const legacy = await store.meta.get(LEGACY_KEY_META);
  if (store.kind !== 'sqlite') {
    throw new HeraldError(
      'unavailable',
      'HERALD_ENCRYPTION_KEY is not set: on PostgreSQL Herald needs it (one or more base64 32-byte keys, comma-separated; `openssl rand -base64 32` makes one)' +
        (legacy ? ". This database was started without one by an older release, which kept its key in the `meta` table (key 'encryption_key'): set HERALD_ENCRYPTION_KEY to that value and Herald deletes it from the database" : ''),
    );
  }
  const path = keyFilePath(databaseUrl);
  if (path === null) return { key: legacy ?? SecretBox.generateKey(), created: null };
  const existing = readSecretFile(path);
  if (existing) return { key: existing, created: null };
  if (!legacy && (await store.meta.get(KEY_CHECK_META)) !== null) {
    // Generating a new key here would only make a key that opens nothing.
    throw new HeraldError(
      'unavailable',
      `HERALD_ENCRYPTION_KEY is not set and the key file ${path} is missing: this database's sealed values cannot be opened without it. Restore it from your backup, or set HERALD_ENCRYPTION_KEY.`,
    );
  }
  return { key: createSecretFile(path, legacy ?? SecretBox.generateKey()), created: { path, movedFromDatabase: legacy !== null } };
}

async function checkKeys(store: Store, box: SecretBox): Promise<void> {
  const check = await store.meta.putIfAbsent(KEY_CHECK_META, box.seal(KEY_CHECK_PLAINTEXT));
  let opened: string | null = null;
  try {
    opened = box.open(check);
  } catch {
    // answered below
  }
  if (opened !== KEY_CHECK_PLAINTEXT) {
    throw new HeraldError(
      'unavailable',
      'HERALD_ENCRYPTION_KEY cannot decrypt this store: none of its keys is the key the store was sealed with (keep the old key in the list, after the new one, until `herald rekey` has run)',
    );
  }
}

/** Reseals the check value with the first key: the last step of a rekey, so it marks one that finished. */
export async function resealKeyCheck(store: Store, box: SecretBox): Promise<void> {
  const check = await store.meta.get(KEY_CHECK_META);
  await store.sealedValues.putMeta(KEY_CHECK_META, check === null ? box.seal(KEY_CHECK_PLAINTEXT) : box.reseal(check));
}
