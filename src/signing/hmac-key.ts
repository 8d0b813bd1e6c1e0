import type { SignatureScheme } from '../domain/tenant.js';

const WHSEC = 'whsec_';

/**
 * The HMAC key bytes for a secret. Only Standard Webhooks defines `whsec_` as a base64
 * envelope; Stripe-, GitHub- and Mugib-style receivers pass the secret string they were
 * shown straight to their HMAC, so for them the prefix is part of the key.
 */
export function hmacKey(secret: string, scheme: SignatureScheme): Buffer {
  if (scheme === 'standard-webhooks' && secret.startsWith(WHSEC)) {
    return Buffer.from(secret.slice(WHSEC.length), 'base64');
  }
  return Buffer.from(secret, 'utf8');
}
