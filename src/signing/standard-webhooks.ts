import { createHmac } from 'node:crypto';
import { hmacKey } from './hmac-key.js';
import type { SignInput } from './signer.js';

export function standardWebhooks(input: SignInput): Record<string, string> {
  const id = input.eventId;
  const timestamp = String(input.timestampSeconds);
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': timestamp };
  if (input.secrets.length === 0) return headers;
  // Fed in pieces rather than as one template string, so a large body is never copied.
  headers['webhook-signature'] = input.secrets
    .map((secret) => {
      const mac = createHmac('sha256', hmacKey(secret, 'standard-webhooks'));
      mac.update(id).update('.').update(timestamp).update('.').update(input.body);
      return `v1,${mac.digest('base64')}`;
    })
    .join(' ');
  return headers;
}
