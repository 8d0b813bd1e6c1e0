import { createHmac, sign } from 'node:crypto';
import { isSigningKey, signingKeyObject } from './ed25519-key.js';
import { hmacKey } from './hmac-key.js';
import type { SignInput } from './signer.js';

/**
 * Standard Webhooks, symmetric (`v1,` HMAC-SHA256) and asymmetric (`v1a,` Ed25519) alike: the
 * kind of each key decides its signature, so during a move from a shared secret to a key pair
 * (or back) the header carries one of each and either kind of receiver verifies.
 */
export function standardWebhooks(input: SignInput): Record<string, string> {
  const id = input.eventId;
  const timestamp = String(input.timestampSeconds);
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': timestamp };
  if (input.secrets.length === 0) return headers;
  headers['webhook-signature'] = input.secrets.map((secret) => signature(secret, id, timestamp, input.body)).join(' ');
  return headers;
}

function signature(secret: string, id: string, timestamp: string, body: string): string {
  if (isSigningKey(secret)) {
    return `v1a,${sign(null, Buffer.from(`${id}.${timestamp}.${body}`), signingKeyObject(secret)).toString('base64')}`;
  }
  // Fed in pieces rather than as one template string, so a large body is never copied.
  const mac = createHmac('sha256', hmacKey(secret, 'standard-webhooks'));
  mac.update(id).update('.').update(timestamp).update('.').update(body);
  return `v1,${mac.digest('base64')}`;
}
