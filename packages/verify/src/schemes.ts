import { anyMatches, ed25519Verify, fromBase64, hmacSha256, toBase64, toHex, utf8 } from './crypto.js';
import { SignatureMismatchError, WebhookVerificationError } from './errors.js';
import type { HeaderSource } from './headers.js';
import { headerReader } from './headers.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';

export interface TimingOptions {
  toleranceSeconds?: number;
  now?: Date;
}

export interface VerifyOptions extends TimingOptions {
  /** The endpoint's secret exactly as Herald showed it (for hub-sha256: the verify token, when the endpoint has one). */
  secret: string;
}

export interface PublicKeyOptions extends TimingOptions {
  /** The endpoint's public key exactly as Herald showed it: `whpk_` + base64 of 32 bytes. */
  publicKey: string;
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

/** Standard Webhooks' asymmetric form: `webhook-signature: v1a,<base64 Ed25519>` over `id.timestamp.body`. */
export async function verifyEd25519(body: string, headers: HeaderSource, options: PublicKeyOptions): Promise<void> {
  const read = headerReader(headers);
  const id = read('webhook-id');
  const timestamp = read('webhook-timestamp');
  const signatures = read('webhook-signature');
  checkTimestamp(timestamp, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, options.now ?? new Date());
  const publicKey = decodeKey(options.publicKey, 'whpk_', 32);
  const message = `${id}.${timestamp}.${body}`;
  // During a rotation the header carries one signature per key: any may be ours.
  for (const entry of signatures.split(' ').filter((s) => s.startsWith('v1a,'))) {
    const signature = tryBase64(entry.slice(4));
    if (signature?.length === 64 && (await ed25519Verify(publicKey, signature, message))) return;
  }
  throw new SignatureMismatchError();
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

function decodeKey(text: string, prefix: string, length: number): Uint8Array {
  const bytes = text.startsWith(prefix) ? tryBase64(text.slice(prefix.length)) : null;
  if (bytes?.length !== length) throw new WebhookVerificationError(`public key must be ${prefix} followed by base64 of ${length} bytes`);
  return bytes;
}

function tryBase64(text: string): Uint8Array | null {
  try {
    return fromBase64(text);
  } catch {
    return null;
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
