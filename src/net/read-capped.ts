import type { Readable } from 'node:stream';

/**
 * The contract's ceiling on any remote answer (delivery, test send, handshake): a receiver
 * decides how much it sends, so Herald decides how much it reads.
 */
export const REMOTE_ANSWER_LIMIT_BYTES = 64 * 1024;

/**
 * The one reader of remote answers. It takes at most `limitBytes` and then destroys the
 * stream, which for an undici body closes the socket: the rest is never downloaded. Before
 * this, the handshake used `body.text()`, and one 256 MB answer grew RSS by 700 MB.
 * A body that breaks off early still yields what came (the status line already counts).
 */
export async function readCapped(body: Readable, limitBytes = REMOTE_ANSWER_LIMIT_BYTES): Promise<{ text: string; truncated: boolean }> {
  const limit = Math.min(limitBytes, REMOTE_ANSWER_LIMIT_BYTES);
  const chunks: Buffer[] = [];
  let length = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      chunks.push(bytes.subarray(0, limit - length));
      length += Math.min(bytes.length, limit - length);
      if (length >= limit) {
        truncated = true;
        break;
      }
    }
  } catch {
    // A reset after some bytes: keep them.
  } finally {
    if (!body.readableEnded) body.destroy();
  }
  // A multi-byte character cut at the limit decodes as U+FFFD rather than throwing.
  return { text: new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks)), truncated };
}
