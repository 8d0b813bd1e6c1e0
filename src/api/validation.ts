import type { Filter } from '../domain/endpoint.js';
import { isReservedHeader } from '../domain/endpoint.js';
import { validateFilter } from '../domain/filter.js';
import type { SignatureSettings } from '../domain/tenant.js';
import { validationFailed } from '../errors.js';
import type { Store } from '../store/store.js';

/** Checks across fields and against the catalog, which request schemas cannot express. */

export function checkSignatureSettings(signature: SignatureSettings | null | undefined, path: string): void {
  if (!signature) return;
  if (signature.header && signature.scheme !== 'body-hex') {
    throw validationFailed('signature.header applies to the body-hex scheme only', [{ path: `${path}/header` }]);
  }
  if (signature.prefix && signature.scheme !== 'timestamped-hex') {
    throw validationFailed('signature.prefix applies to the timestamped-hex scheme only', [{ path: `${path}/prefix` }]);
  }
}

export function checkFilter(filter: Filter | null | undefined): void {
  const problems = validateFilter(filter ?? null);
  if (problems.length > 0) {
    throw validationFailed(`filter is invalid: ${problems[0]}`, problems.map((message) => ({ path: '/filter', message })));
  }
}

export function checkHeaders(headers: Record<string, string> | undefined): void {
  const reserved = Object.keys(headers ?? {}).filter(isReservedHeader);
  if (reserved.length > 0) {
    throw validationFailed(`headers cannot set ${reserved.join(', ')}: Herald sets it`, reserved.map((name) => ({ path: `/headers/${name}` })));
  }
}

/** Exact names must be in the catalog; `*` and `prefix.*` patterns need not match anything yet. */
export async function checkSubscriptions(store: Store, patterns: string[]): Promise<void> {
  const exact = [...new Set(patterns.filter((p) => p !== '*' && !p.endsWith('.*')))];
  const missing: string[] = [];
  for (const name of exact) if (!(await store.eventTypes.get(name))) missing.push(name);
  if (missing.length > 0) {
    throw validationFailed(`unknown event type: ${missing.join(', ')}`, missing.map((name) => ({ path: '/eventTypes', value: name })));
  }
}

/** A customer's own `whsec_` secret must be real base64, or standard receivers cannot verify it. */
export function checkSecret(secret: string | null | undefined): void {
  if (!secret?.startsWith('whsec_')) return;
  const encoded = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0 || Buffer.from(encoded, 'base64').length < 16) {
    throw validationFailed('a whsec_ secret must be whsec_ followed by padded base64 of at least 16 bytes', [{ path: '/secret' }]);
  }
}
