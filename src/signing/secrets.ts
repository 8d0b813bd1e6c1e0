import { randomBytes } from 'node:crypto';

/** `whsec_` + base64 of 24 random bytes, whatever the scheme: a secret can outlive a scheme change. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
