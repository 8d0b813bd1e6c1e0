import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks' asymmetric form: the endpoint holds an Ed25519 key pair. The private key
 * travels as `whsk_` + base64 of its 32-byte seed (sealed at rest like any secret, never
 * shown); the public key is `whpk_` + base64 of its 32 raw bytes, given to the receiver.
 */
export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

// DER headers of an Ed25519 PKCS#8 private key and SPKI public key; the raw 32 bytes follow.
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_HEADER_LENGTH = 12;

export function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_HEADER.length);
  return SIGNING_KEY_PREFIX + seed.toString('base64');
}

export const isSigningKey = (secret: string): boolean => secret.startsWith(SIGNING_KEY_PREFIX);

/** Keys are parsed once: a delivery signs with the same few keys again and again. */
const parsed = new Map<string, KeyObject>();
const MAX_PARSED = 1000;

export function signingKeyObject(signingKey: string): KeyObject {
  let key = parsed.get(signingKey);
  if (!key) {
    const seed = Buffer.from(signingKey.slice(SIGNING_KEY_PREFIX.length), 'base64');
    if (seed.length !== 32) throw new Error('an Ed25519 signing key holds a 32-byte seed');
    key = createPrivateKey({ key: Buffer.concat([PKCS8_HEADER, seed]), format: 'der', type: 'pkcs8' });
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(signingKey, key);
  }
  return key;
}

export function publicKeyOf(signingKey: string): string {
  const spki = createPublicKey(signingKeyObject(signingKey)).export({ format: 'der', type: 'spki' });
  return PUBLIC_KEY_PREFIX + spki.subarray(SPKI_HEADER_LENGTH).toString('base64');
}
