/** Web Crypto only, so the package runs in Node 18+, Deno, Bun, browsers' workers and edge runtimes. */

const encoder = new TextEncoder();

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

export async function hmacSha256(key: Uint8Array, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, utf8(message) as Uint8Array<ArrayBuffer>));
}

/** Ed25519 in Web Crypto: Node 20+, Deno, Bun and current browsers. */
export async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: string): Promise<boolean> {
  const key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify('Ed25519', key, signature as Uint8Array<ArrayBuffer>, utf8(message) as Uint8Array<ArrayBuffer>);
}

/** Compares in time that depends only on the length, never on where the inputs differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Any signature in the list that equals the expected one, compared in constant time. */
export function anyMatches(expected: string, candidates: string[]): boolean {
  const want = utf8(expected);
  let found = false;
  for (const candidate of candidates) found = constantTimeEqual(want, utf8(candidate)) || found;
  return found;
}
