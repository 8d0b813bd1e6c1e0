/**
 * A signal that aborts an outbound request after `ms`, and `clear` to drop its timer as soon as
 * the request is over. Not `AbortSignal.timeout`: its timer lives out the whole timeout after
 * the request ended, so at thousands of attempts a second the heap held tens of thousands of
 * them (the serve process passed 300 MB in `npm run bench`'s backlog drain).
 */
export function deadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
