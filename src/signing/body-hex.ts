import { createHmac } from 'node:crypto';
import { hmacKey } from './hmac-key.js';
import type { SignInput } from './signer.js';

const DEFAULT_HEADER = 'X-Herald-Signature';

/** Mugib/BuzzBip style: a bare hex digest leaves no room for a second signature. */
export function bodyHex(input: SignInput): Record<string, string> {
  const secret = input.secrets[0];
  if (secret === undefined) return {};
  const mac = createHmac('sha256', hmacKey(secret, 'body-hex')).update(input.body);
  return { [input.settings.header ?? DEFAULT_HEADER]: mac.digest('hex') };
}
