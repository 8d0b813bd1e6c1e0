import { createHmac } from 'node:crypto';
import { hmacKey } from './hmac-key.js';
import type { SignInput } from './signer.js';

const DEFAULT_PREFIX = 'Herald';

/**
 * Stripe's layout (`t=…,v1=…`). Secrets stay newest first, so during a rotation the old
 * secret's `v1=` comes last: receivers that parse the header with `Object.fromEntries`
 * (mobieusCore's published snippet) keep only the last `v1`, and those are exactly the
 * receivers the grace period exists for, the ones not yet moved to the new secret.
 */
export function timestampedHex(input: SignInput): Record<string, string> {
  const prefix = input.settings.prefix ?? DEFAULT_PREFIX;
  const timestamp = String(input.timestampSeconds);
  const headers: Record<string, string> = {
    [`${prefix}-Event-Id`]: input.eventId,
    [`${prefix}-Event-Type`]: input.eventType,
  };
  if (input.secrets.length === 0) return headers;
  const signatures = input.secrets.map((secret) => {
    const mac = createHmac('sha256', hmacKey(secret, 'timestamped-hex'));
    return `v1=${mac.update(timestamp).update('.').update(input.body).digest('hex')}`;
  });
  headers[`${prefix}-Signature`] = `t=${timestamp},${signatures.join(',')}`;
  return headers;
}
