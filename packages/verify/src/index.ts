import type { HeaderSource } from './headers.js';
import { verifyBodyHex, verifyHubSha256, verifyStandardWebhooks, verifyTimestampedHex, type VerifyOptions } from './schemes.js';

export { MissingHeaderError, SignatureMismatchError, TimestampError, WebhookVerificationError } from './errors.js';
export type { HeaderSource } from './headers.js';
export { verifyBodyHex, verifyHubSha256, verifyStandardWebhooks, verifyTimestampedHex, type VerifyOptions } from './schemes.js';

export type Scheme = 'standard-webhooks' | 'timestamped-hex' | 'hub-sha256' | 'body-hex';

export interface WebhookOptions extends VerifyOptions {
  scheme?: Scheme;
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
