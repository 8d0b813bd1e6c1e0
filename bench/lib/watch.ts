import { waitUntil } from './arrivals.js';
import type { ReceiverProcess } from './receiver-process.js';

/** How a scenario tells that an event was delivered, and when. */
export interface Watch {
  /** Resolves once every id counts as delivered; rejects after `timeoutMs`. */
  wait(ids: string[], timeoutMs: number): Promise<void>;
  /** When `id` counted as delivered (receiver clock). */
  arrivedAt(id: string): number;
}

/** The first arrival of each id, wherever it went: one endpoint per event. */
export function firstArrival(receiver: ReceiverProcess): Watch {
  return { wait: (ids, timeoutMs) => receiver.waitForIds(ids, timeoutMs), arrivedAt: (id) => receiver.arrivals.get(id)!.first };
}

/** Arrivals on one path only, when other endpoints get the same events. */
export function onPath(receiver: ReceiverProcess, path: string): Watch {
  const seen = () => receiver.arrivalsByPath.get(path);
  return {
    wait: (ids, timeoutMs) => waitUntil(() => ids.every((id) => seen()?.has(id) === true), timeoutMs, `${ids.length} arrivals on ${path}`),
    arrivedAt: (id) => seen()!.get(id)!,
  };
}

/** Fan-out: an event counts once `copies` arrivals came, at the time of the last one. */
export function allCopies(receiver: ReceiverProcess, copies: number): Watch {
  const count = (id: string) => receiver.arrivals.get(id)?.count ?? 0;
  return {
    wait: (ids, timeoutMs) => waitUntil(() => ids.every((id) => count(id) >= copies), timeoutMs, `${ids.length} events × ${copies} arrivals`),
    arrivedAt: (id) => receiver.arrivals.get(id)!.last,
  };
}
