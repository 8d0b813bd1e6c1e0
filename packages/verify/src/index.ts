import type { HeaderSource } from './headers.js';
import { verifyBodyHex, verifyEd25519, verifyHubSha256, verifyStandardWebhooks, verifyTimestampedHex, type PublicKeyOptions, type VerifyOptions } from './schemes.js';

export { MissingHeaderError, SignatureMismatchError, TimestampError, WebhookVerificationError } from './errors.js';
export type { HeaderSource } from './headers.js';
export {
  verifyBodyHex,
  verifyEd25519,
  verifyHubSha256,
  verifyStandardWebhooks,
  verifyTimestampedHex,
  type PublicKeyOptions,
  type TimingOptions,
  type VerifyOptions,
} from './schemes.js';

export type SecretScheme = 'standard-webhooks' | 'timestamped-hex' | 'hub-sha256' | 'body-hex';
export type Scheme = SecretScheme | 'ed25519';

/** ed25519 endpoints verify with their public key; every other scheme with the shared secret. */
export type WebhookOptions = SecretOptions | (PublicKeyOptions & { scheme: 'ed25519' });

export interface SecretOptions extends VerifyOptions {
  scheme?: SecretScheme;
  /** timestamped-hex: the header family, `Herald` by default (`Herald-Signature`). */
  prefix?: string;
  /** body-hex: the header name, `X-Herald-Signature` by default. */
  header?: string;
}

/**
 * Verifies a delivery and answers its parsed payload; throws a WebhookVerificationError
 * saying what failed. Pass the raw body exactly as received: re-serialised JSON may differ.
 */
export async function verifyWebhook(body: string, headers: HeaderSource, options: WebhookOptions): Promise<unknown> {
  if (options.scheme === 'ed25519') {
    await verifyEd25519(body, headers, options);
    return JSON.parse(body);
  }
  switch (options.scheme ?? 'standard-webhooks') {
    case 'standard-webhooks':
      await verifyStandardWebhooks(body, headers, options);
      break;
    case 'timestamped-hex':
      await verifyTimestampedHex(body, headers, options);
      break;
    case 'hub-sha256':
      await verifyHubSha256(body, headers, options);
      break;
    case 'body-hex':
      await verifyBodyHex(body, headers, options);
      break;
  }
  return JSON.parse(body);
}
