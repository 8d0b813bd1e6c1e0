import { randomBytes } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { deadline, describeNetworkError, readCapped } from '../net/index.js';

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
  const { signal, clear } = deadline(timeoutMs);
  try {
    const response = await request(target, {
      method: 'GET',
      dispatcher,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    // The challenge is 32 characters; 1 KiB of answer is plenty and the rest is never read.
    const body = (await readCapped(response.body, 1024)).text;
    if (response.statusCode < 200 || response.statusCode >= 300) return { verified: false, reason: `handshake answered HTTP ${response.statusCode}` };
    if (body.trim() !== challenge) return { verified: false, reason: 'handshake answer did not echo the challenge' };
    return { verified: true, reason: null };
  } catch (error) {
    return { verified: false, reason: `handshake failed: ${describeNetworkError(error)}` };
  } finally {
    clear();
  }
}
