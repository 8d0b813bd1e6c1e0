import type { ReceiverProcess } from './receiver-process.js';

/** Polls until `done` holds, for waits the receiver's id waiters cannot express. */
export async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once every id has reached `path`, whatever arrived elsewhere. */
export function waitForIdsOn(receiver: ReceiverProcess, path: string, ids: string[], timeoutMs: number): Promise<void> {
  return waitUntil(() => {
    const onPath = receiver.arrivalsByPath.get(path);
    return onPath !== undefined && ids.every((id) => onPath.has(id));
  }, timeoutMs, `${ids.length} arrivals on ${path}`);
}
