import { anyMatches, fromBase64, hmacSha256, toBase64, toHex, utf8 } from './crypto.js';
import { SignatureMismatchError, WebhookVerificationError } from './errors.js';
import type { HeaderSource } from './headers.js';
import { headerReader } from './headers.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';

export interface VerifyOptions {
  /** The endpoint's secret exactly as Herald showed it (for hub-sha256: the verify token, when the endpoint has one). */
  secret: string;
  toleranceSeconds?: number;
  now?: Date;
}

/** Standard Webhooks (and Svix): `webhook-signature: v1,<base64>` over `id.timestamp.body`. */
export async function verifyStandardWebhooks(body: string, headers: HeaderSource, options: VerifyOptions): Promise<void> {
  const read = headerReader(headers);
  const id = readEither(read, 'webhook-id', 'svix-id');
  const timestamp = readEither(read, 'webhook-timestamp', 'svix-timestamp');
  const signatures = readEither(read, 'webhook-signature', 'svix-signature');
  checkTimestamp(timestamp, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, options.now ?? new Date());
  const expected = toBase64(await hmacSha256(standardKey(options.secret), `${id}.${timestamp}.${body}`));
  const candidates = signatures.split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
  if (!anyMatches(expected, candidates)) throw new SignatureMismatchError();
}

/** `<Prefix>-Signature: t=<unix>,v1=<hex>[,v1=<hex>]` over `timestamp.body` (Stripe's layout). */
export async function verifyTimestampedHex(body: string, headers: HeaderSource, options: VerifyOptions & { prefix?: string }): Promise<void> {
  const header = headerReader(headers)(`${options.prefix ?? 'Herald'}-Signature`);
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = parts.find(([key]) => key === 't')?.[1];
  if (!timestamp) throw new WebhookVerificationError('signature header has no t= timestamp');
  checkTimestamp(timestamp, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, options.now ?? new Date());
  const expected = toHex(await hmacSha256(utf8(options.secret), `${timestamp}.${body}`));
  if (!anyMatches(expected, parts.filter(([key]) => key === 'v1').map(([, value]) => value ?? ''))) throw new SignatureMismatchError();
}

/** GitHub style: `X-Hub-Signature-256: sha256=<hex>` over the body. */
export async function verifyHubSha256(body: string, headers: HeaderSource, options: VerifyOptions): Promise<void> {
  const header = headerReader(headers)('X-Hub-Signature-256');
  const expected = `sha256=${toHex(await hmacSha256(utf8(options.secret), body))}`;
  if (!anyMatches(expected, [header])) throw new SignatureMismatchError();
}

/** One header holding the hex HMAC of the body. */
export async function verifyBodyHex(body: string, headers: HeaderSource, options: VerifyOptions & { header?: string }): Promise<void> {
  const header = headerReader(headers)(options.header ?? 'X-Herald-Signature');
  const expected = toHex(await hmacSha256(utf8(options.secret), body));
  if (!anyMatches(expected, [header.trim()])) throw new SignatureMismatchError();
}

/** `whsec_` secrets carry base64 key bytes; any other secret is its own UTF-8 bytes. */
function standardKey(secret: string): Uint8Array {
  if (!secret.startsWith('whsec_')) return utf8(secret);
  try {
    return fromBase64(secret.slice('whsec_'.length));
  } catch {
    throw new WebhookVerificationError('secret is whsec_ but not valid base64');
  }
}

function readEither(read: (name: string) => string, name: string, fallback: string): string {
  try {
    return read(name);
  } catch (error) {
    try {
      return read(fallback);
    } catch {
      throw error;
    }
  }
}
