import { randomBytes } from 'node:crypto';
import type { SignatureScheme } from '../domain/tenant.js';
import { generateSigningKey, publicKeyOf } from './ed25519-key.js';

/** `whsec_` + base64 of 24 random bytes, whatever the scheme: a secret can outlive a scheme change. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * A new signing key for an endpoint and what its customer is shown of it, once: the secret
 * itself for the shared-secret schemes, only the public key for `ed25519`.
 */
export function generateEndpointKey(scheme: SignatureScheme): { secret: string; shown: { secret: string } | { publicKey: string } } {
  if (scheme === 'ed25519') {
    const secret = generateSigningKey();
    return { secret, shown: { publicKey: publicKeyOf(secret) } };
  }
  const secret = generateSecret();
  return { secret, shown: { secret } };
}
