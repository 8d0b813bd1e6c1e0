import { redactHeaders } from '../domain/sensitive-header.js';
import { mapSensitive, type SecretBox } from '../signing/index.js';
import type { SealedEndpointValues, Store } from '../store/store.js';
import { LEGACY_KEY_META, resealKeyCheck } from './load-keys.js';

const BATCH = 500;
/** Set once every value older releases kept in clear is sealed (or, in attempt logs, redacted). */
const UPGRADED_META = 'sealed_values_version';
const UPGRADED = '2';

export interface ResealReport {
  endpoints: number;
  attempts: number;
}

/**
 * `herald rekey`: every sealed value not sealed by the first key is opened and sealed again
 * with it. Rows are rewritten one by one with compare-and-set, so it can be interrupted and
 * run again, and edits made meanwhile win. The key check goes last: it marks a finished rekey.
 */
export async function rekeyStore(store: Store, box: SecretBox): Promise<ResealReport> {
  const endpoints = await resealEndpoints(store, box, false);
  await resealKeyCheck(store, box);
  return { endpoints, attempts: 0 };
}

/**
 * The upgrade from the first release: seals the sensitive header values it kept in clear,
 * redacts the ones it copied into attempt logs, moves v1 values to v2 (which name their key),
 * deletes the key it kept in `meta`, then compacts the file so no freed page keeps any of it.
 * Runs at every start until it has finished once; safe to interrupt.
 */
export async function upgradeSealedValues(store: Store, box: SecretBox): Promise<ResealReport | null> {
  let report: ResealReport | null = null;
  if ((await store.meta.get(UPGRADED_META)) !== UPGRADED) {
    report = { endpoints: await resealEndpoints(store, box, true), attempts: await redactAttemptLogs(store) };
    await resealKeyCheck(store, box);
    await store.sealedValues.putMeta(UPGRADED_META, UPGRADED);
  }
  // Also when HERALD_ENCRYPTION_KEY was set later: the old row is then a stale copy of a key.
  const hadLegacyKey = (await store.meta.get(LEGACY_KEY_META)) !== null;
  if (hadLegacyKey) await store.sealedValues.deleteMeta(LEGACY_KEY_META);
  if (report || hadLegacyKey) await store.sealedValues.compact();
  return report;
}

async function resealEndpoints(store: Store, box: SecretBox, headersMayBeClear: boolean): Promise<number> {
  let changed = 0;
  for (let after = ''; ; ) {
    const rows = await store.sealedValues.endpointsAfter(after, BATCH);
    if (rows.length === 0) return changed;
    for (const row of rows) {
      const next = resealed(row, box, headersMayBeClear);
      if (!sameValues(row, next)) changed += (await store.sealedValues.replaceEndpoint(row, next)) ? 1 : 0;
    }
    after = rows[rows.length - 1]!.id;
  }
}

function resealed(row: SealedEndpointValues, box: SecretBox, headersMayBeClear: boolean): SealedEndpointValues {
  const one = (value: string | null) => (value === null ? null : box.reseal(value));
  // Before the upgrade has finished, a sensitive header value is clear unless it opens: the
  // first release never sealed one, and an interrupted upgrade sealed some with these keys.
  const header = (value: string) => (headersMayBeClear && !box.opens(value) ? box.seal(value) : box.reseal(value));
  return {
    id: row.id,
    secret: one(row.secret),
    previousSecret: one(row.previousSecret),
    verifyToken: one(row.verifyToken),
    headers: mapSensitive(row.headers, header),
  };
}

function sameValues(a: SealedEndpointValues, b: SealedEndpointValues): boolean {
  return a.secret === b.secret && a.previousSecret === b.previousSecret && a.verifyToken === b.verifyToken && JSON.stringify(a.headers) === JSON.stringify(b.headers);
}

async function redactAttemptLogs(store: Store): Promise<number> {
  let changed = 0;
  for (let after = 0; ; ) {
    const rows = await store.sealedValues.attemptHeadersAfter(after, BATCH);
    if (rows.length === 0) return changed;
    for (const row of rows) {
      const redacted = redactHeaders(row.requestHeaders);
      if (JSON.stringify(redacted) === JSON.stringify(row.requestHeaders)) continue;
      await store.sealedValues.replaceAttemptHeaders(row.id, redacted);
      changed++;
    }
    after = rows[rows.length - 1]!.id;
  }
}
