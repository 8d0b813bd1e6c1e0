import { randomBytes } from 'node:crypto';
import { BUILT_IN_EVENT_TYPES } from './domain/event-type.js';
import { HeraldError } from './errors.js';
import { SecretBox } from './signing/index.js';
import type { Store } from './store/store.js';
import { hashToken } from './api/principal.js';

const KEY_CHECK_PLAINTEXT = 'herald-encryption-key-check';

export interface Credentials {
  secretBox: SecretBox;
  adminTokenHash: Buffer;
  /** Set only on the start that generated something: printed once, then never again. */
  generated: { adminToken?: string; encryptionKey?: string };
}

/**
 * The admin token and encryption key: taken from config when given, else generated on the
 * first start and kept in the store. A key that cannot open what the store sealed is refused
 * here, before any wrong signature could be sent.
 */
export async function loadCredentials(store: Store, adminToken: string | null, encryptionKey: string | null): Promise<Credentials> {
  const generated: Credentials['generated'] = {};

  let key = encryptionKey;
  if (!key) {
    const candidate = SecretBox.generateKey();
    key = await store.meta.putIfAbsent('encryption_key', candidate);
    if (key === candidate) generated.encryptionKey = key;
  }
  const secretBox = new SecretBox(SecretBox.parseKey(key));
  const check = await store.meta.putIfAbsent('encryption_key_check', secretBox.seal(KEY_CHECK_PLAINTEXT));
  try {
    if (secretBox.open(check) !== KEY_CHECK_PLAINTEXT) throw new Error('mismatch');
  } catch {
    throw new HeraldError('unavailable', 'HERALD_ENCRYPTION_KEY cannot decrypt this store: it is not the key the store was created with');
  }

  let adminTokenHash: Buffer;
  if (adminToken) {
    adminTokenHash = hashToken(adminToken);
  } else {
    const candidate = `hadm_${randomBytes(32).toString('base64url')}`;
    const stored = await store.meta.putIfAbsent('admin_token_sha256', hashToken(candidate).toString('hex'));
    if (stored === hashToken(candidate).toString('hex')) generated.adminToken = candidate;
    adminTokenHash = Buffer.from(stored, 'hex');
  }
  return { secretBox, adminTokenHash, generated };
}

/** The built-in catalog entries (quota and test events) exist in every store. */
export async function seedCatalog(store: Store): Promise<void> {
  const now = new Date();
  for (const entry of BUILT_IN_EVENT_TYPES) {
    if (await store.eventTypes.get(entry.name)) continue;
    await store.eventTypes
      .create({ ...entry, schema: null, deprecated: false, createdAt: now, updatedAt: now })
      .catch((error) => {
        if (!(error instanceof HeraldError && error.code === 'conflict')) throw error;
      });
  }
}
