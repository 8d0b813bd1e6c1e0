import { fork, type ChildProcess } from 'node:child_process';
import { sendIfConnected, stopChild } from './child-ipc.js';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import type { ChildMessage, ParentMessage } from './receiver-protocol.js';

export interface ArrivalRecord {
  /** First arrival of this id (clock.now() in the receiver). */
  first: number;
  last: number;
  count: number;
}

export interface ReceiverStats {
  total: number;
  byPath: Record<string, number>;
  /** The child's user + system CPU time so far. */
  cpuMicros: number;
}

interface Waiter {
  missing: Set<string>;
  resolve: () => void;
}

/** The parent's handle on the receiver child: its URL, and what arrived there when. */
export class ReceiverProcess {
  readonly arrivals = new Map<string, ArrivalRecord>();
  /** When each id first reached each path, for scenarios whose endpoints share event ids. */
  readonly arrivalsByPath = new Map<string, Map<string, number>>();
  unidentified = 0;
  readonly #child: ChildProcess;
  readonly #port: number;
  #waiters = new Set<Waiter>();
  /** Stats requests in flight; the child answers them in order. */
  #statsReplies: Array<(stats: ReceiverStats) => void> = [];
  #removeCleanup: () => void;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.#port = port;
    child.on('message', (message: ChildMessage) => this.#onMessage(message));
    this.#removeCleanup = onCleanup(() => this.stop());
  }

  static async start(): Promise<ReceiverProcess> {
    const script = fileURLToPath(new URL('../receiver-child.js', import.meta.url));
    // No inherited execArgv: a `node --cpu-prof` bench run profiles the bench, not the receiver.
    const child = fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('receiver did not start in 10 s')), 10_000);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`receiver exited early (code ${code})`)));
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message.port);
      });
    });
    child.removeAllListeners('exit');
    return new ReceiverProcess(child, port);
  }

  /** Only ever loopback. */
  url(path = '/ok'): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  /** Resolves once every id has arrived at least once; rejects after `timeoutMs`. */
  async waitForIds(ids: Iterable<string>, timeoutMs: number): Promise<void> {
    const missing = new Set([...ids].filter((id) => !this.arrivals.has(id)));
    if (missing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const waiter: Waiter = { missing, resolve: () => undefined };
    try {
      await new Promise<void>((resolve, reject) => {
        waiter.resolve = resolve;
        this.#waiters.add(waiter);
        timer = setTimeout(() => reject(new Error(`${missing.size} events not received after ${timeoutMs} ms`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(waiter);
    }
  }

  stats(): Promise<ReceiverStats> {
    return new Promise((resolve) => {
      this.#statsReplies.push(resolve);
      this.#send({ type: 'stats' });
    });
  }

  async stop(): Promise<void> {
    this.#removeCleanup();
    await stopChild(this.#child, { type: 'stop' } satisfies ParentMessage);
  }

  #send(message: ParentMessage): void {
    sendIfConnected(this.#child, message);
  }

  #onMessage(message: ChildMessage): void {
    if (message.type === 'stats') {
      this.#statsReplies.shift()?.({ total: message.total, byPath: message.byPath, cpuMicros: message.cpuMicros });
      return;
    }
    if (message.type !== 'arrivals') return;
    for (const [id, path, at] of message.arrivals) {
      if (id === null) {
        this.unidentified += 1;
        continue;
      }
      let onPath = this.arrivalsByPath.get(path);
      if (!onPath) this.arrivalsByPath.set(path, (onPath = new Map()));
      if (!onPath.has(id)) onPath.set(id, at);
      const seen = this.arrivals.get(id);
      if (seen) {
        seen.count += 1;
        seen.first = Math.min(seen.first, at);
        seen.last = Math.max(seen.last, at);
      } else {
        this.arrivals.set(id, { first: at, last: at, count: 1 });
      }
      for (const waiter of this.#waiters) {
        waiter.missing.delete(id);
        if (waiter.missing.size === 0) waiter.resolve();
      }
    }
  }
}
