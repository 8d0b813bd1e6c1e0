import type { Endpoint, EndpointSecrets } from '../domain/endpoint.js';
import { missing } from '../errors.js';
import type { ApiContext } from './context.js';
import type { SignatureScheme, SignatureSettings } from '../domain/tenant.js';
import { generateEndpointKey, isSigningKey, publicKeyOf, type SecretBox } from '../signing/index.js';

/** How long a replaced key keeps signing unless the caller says otherwise. */
export const DEFAULT_GRACE_SECONDS = 86_400;

/** Schemes whose header carries several signatures, so an old key can sign beside the new. */
const CARRIES_TWO: ReadonlySet<SignatureScheme> = new Set(['standard-webhooks', 'timestamped-hex', 'ed25519']);

export const usesKeyPair = (scheme: SignatureScheme): boolean => scheme === 'ed25519';

export const effectiveScheme = (endpointSignature: SignatureSettings | null, tenantSignature: SignatureSettings): SignatureScheme =>
  (endpointSignature ?? tenantSignature).scheme;

/**
 * A fresh key for the endpoint's scheme (rotation, or a move between a shared secret and a key
 * pair). The old key signs beside it for the grace period where the header can carry both; it
 * then drops out. Answers the secrets to store and what the customer is shown, once.
 */
export function replaceKey(
  current: EndpointSecrets,
  scheme: SignatureScheme,
  graceSeconds: number,
  secretBox: SecretBox,
  now: Date,
): { secrets: EndpointSecrets; shown: { secret: string } | { publicKey: string } } {
  const { secret, shown } = generateEndpointKey(scheme);
  const keepOld = graceSeconds > 0 && current.secret !== null && CARRIES_TWO.has(scheme);
  return {
    secrets: {
      ...current,
      secret: secretBox.seal(secret),
      previousSecret: keepOld ? current.secret : null,
      previousSecretExpiresAt: keepOld ? new Date(now.getTime() + graceSeconds * 1000) : null,
    },
    shown,
  };
}

/** The `whpk_` public key of an endpoint that signs with a key pair; null for a shared secret. */
export function publicKeyFor(secrets: EndpointSecrets, secretBox: SecretBox): string | null {
  if (!secrets.secret) return null;
  const secret = secretBox.open(secrets.secret);
  return isSigningKey(secret) ? publicKeyOf(secret) : null;
}

/**
 * A signed endpoint moving between a shared-secret scheme and ed25519 needs a key of the other
 * kind: it gets one at once (the old key signing beside it for the default grace period where
 * the header carries both), and the customer is shown it in this answer only.
 */
export async function rekeyOnSchemeKindChange(ctx: ApiContext, before: Endpoint, after: Endpoint, tenantSignature: SignatureSettings) {
  const [from, to] = [effectiveScheme(before.signature, tenantSignature), effectiveScheme(after.signature, tenantSignature)];
  if (!before.signed || usesKeyPair(from) === usesKeyPair(to)) return null;
  const current = (await ctx.store.endpoints.getSecrets(after.tenantId, after.id)) ?? missing('Endpoint');
  const { secrets, shown } = replaceKey(current, to, DEFAULT_GRACE_SECONDS, ctx.secretBox, new Date());
  await ctx.store.endpoints.setSecrets(after.tenantId, after.id, secrets);
  return shown;
}
