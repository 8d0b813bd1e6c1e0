import type { SignatureScheme } from '../domain/tenant.js';
import { bodyHex } from './body-hex.js';
import { hubSha256 } from './hub-sha256.js';
import type { SignInput, Signer } from './signer.js';
import { standardWebhooks } from './standard-webhooks.js';
import { timestampedHex } from './timestamped-hex.js';

export type { SignInput, Signer } from './signer.js';

const SIGNERS: Record<SignatureScheme, Signer> = {
  'standard-webhooks': standardWebhooks,
  'timestamped-hex': timestampedHex,
  'hub-sha256': hubSha256,
  'body-hex': bodyHex,
  // Standard Webhooks' asymmetric form: the same headers, signed `v1a` by the endpoint's key pair.
  ed25519: standardWebhooks,
};

/** The signature headers of one delivery attempt, under the endpoint's scheme. */
export function signatureHeaders(input: SignInput): Record<string, string> {
  return SIGNERS[input.settings.scheme](input);
}
