import { createHmac } from 'node:crypto';
import { hmacKey } from './hmac-key.js';
import type { SignInput } from './signer.js';

/**
 * GitHub's header holds a single signature, so a rotation switches at once. The verify
 * token wins even on an endpoint without a secret: Orki-style receivers key by the token
 * they typed and were never shown a secret, so leaving them unsigned would fail them all.
 */
export function hubSha256(input: SignInput): Record<string, string> {
  const key = input.verifyToken ?? input.secrets[0];
  if (key === undefined) return {};
  const mac = createHmac('sha256', hmacKey(key, 'hub-sha256')).update(input.body);
  return { 'X-Hub-Signature-256': `sha256=${mac.digest('hex')}` };
}
