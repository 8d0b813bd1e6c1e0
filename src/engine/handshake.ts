import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { exchange } from '../net/index.js';

/**
 * The subscription handshake (the Meta/WebSub style Orki's receivers expect): a GET with a
 * random challenge that only a receiver holding the verify token is meant to echo back.
 */
export async function runHandshake(
  url: string,
  verifyToken: string,
  timeoutMs: number,
  dispatcher: Dispatcher,
): Promise<{ verified: boolean; reason: string | null }> {
  const challenge = randomBytes(16).toString('hex');
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  // The challenge is 32 characters; 1 KiB of answer is plenty and the rest is never read.
  const answer = await exchange(dispatcher, { method: 'GET', url: target, timeoutMs, limitBytes: 1024 });
  if (!answer.answered) return { verified: false, reason: `handshake failed: ${answer.reason}` };
  if (answer.statusCode < 200 || answer.statusCode >= 300) return { verified: false, reason: `handshake answered HTTP ${answer.statusCode}` };
  if (answer.text.trim() !== challenge) return { verified: false, reason: 'handshake answer did not echo the challenge' };
  return { verified: true, reason: null };
}
