import { randomBytes } from 'node:crypto';
import { BUILT_IN_EVENT_TYPES } from './domain/event-type.js';
import { HeraldError } from './errors.js';
import type { Config } from './config.js';
import { loadKeys } from './keys/load-keys.js';
import { upgradeSealedValues } from './keys/reseal-store.js';
import type { SecretBox } from './signing/index.js';
import type { Store } from './store/store.js';
import { hashToken } from './api/principal.js';

export interface Credentials {
  secretBox: SecretBox;
  adminTokenHash: Buffer;
  /** Set only on the start that generated or moved something: said once, then never again. */
  generated: { adminToken?: string; keyFile?: { path: string; movedFromDatabase: boolean } };
}

/**
 * The encryption keys (see keys/load-keys.ts: never kept in the store) and the admin token:
 * taken from config when given, else generated on the first start, the token kept only as a
 * hash. The upgrade from the first release runs here, before anything reads a sealed value.
 */
export async function loadCredentials(
  store: Store,
  config: Pick<Config, 'databaseUrl' | 'adminToken' | 'encryptionKey'> & { api?: boolean },
): Promise<Credentials> {
  const generated: Credentials['generated'] = {};
  // A `herald worker` serves no API, so it needs no admin token.
  const needsAdminToken = config.api !== false && !config.adminToken && store.kind !== 'sqlite';
  if (needsAdminToken) throw new HeraldError('unavailable', 'HERALD_ADMIN_TOKEN is not set: on PostgreSQL `herald serve` needs it');
  const keys = await loadKeys(store, config.databaseUrl, config.encryptionKey);
  if (keys.keyFile) generated.keyFile = keys.keyFile;
  await upgradeSealedValues(store, keys.box);

  let adminTokenHash: Buffer;
  if (config.adminToken) {
    adminTokenHash = hashToken(config.adminToken);
  } else if (store.kind !== 'sqlite') {
    adminTokenHash = hashToken(randomBytes(32).toString('hex')); // a worker: no token can match
  } else {
    const candidate = `hadm_${randomBytes(32).toString('base64url')}`;
    const stored = await store.meta.putIfAbsent('admin_token_sha256', hashToken(candidate).toString('hex'));
    if (stored === hashToken(candidate).toString('hex')) generated.adminToken = candidate;
    adminTokenHash = Buffer.from(stored, 'hex');
  }
  return { secretBox: keys.box, adminTokenHash, generated };
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
