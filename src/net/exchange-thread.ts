import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createEgressDispatcher, type EgressDispatcherOptions } from './egress-dispatcher.js';
import type { EgressPolicy } from './egress-policy.js';
import { egressRefusal, exchange, type Exchange, type ExchangeRequest, type ExchangeResult } from './exchange.js';

/**
 * Deliveries' HTTP exchanges on a thread of their own. The thread that claims, records and
 * (on SQLite) serves the API was the limit (one core busy, the second a third idle), and the
 * exchange (undici's dispatch, socket writes, the response's parsing, its timer) was a sixth
 * of it. The thread owns the egress dispatcher (SSRF checks included); requests and answers
 * cross as plain data, gathered into one message per turn each way, so a claim of eight
 * deliveries costs one message out and about one back.
 *
 * `npm run bench`, SQLite, alternated: single publishes 4,602-4,784 → 5,171-5,280/s.
 */
export interface ExchangeThread {
  exchange: Exchange;
  /** Ends the thread; exchanges still running end as failed ("delivery thread stopped"). */
  close(): Promise<void>;
}

interface ThreadData {
  role: 'herald-exchange';
  policy: EgressPolicy;
  options: EgressDispatcherOptions;
}

/** One request, numbered so its answer finds its caller. */
type Outgoing = [id: number, request: ExchangeRequest];
type Incoming = [id: number, result: ExchangeResult];

const STOPPED: ExchangeResult = { answered: false, error: null, timedOut: false, reason: 'delivery thread stopped' };

export function startExchangeThread(policy: EgressPolicy, options: EgressDispatcherOptions = {}): ExchangeThread {
  // A resolver is code: it cannot cross to another thread (tests inject one; they exchange in place).
  if (policy.resolve) throw new Error('an egress policy with its own resolver cannot be used on the delivery thread');
  const data: ThreadData = { role: 'herald-exchange', policy, options };
  const thread = new Worker(new URL('./exchange-thread.js', import.meta.url), { workerData: data });
  // Idle, the thread must not keep a process alive; close() holds it while it waits.
  thread.unref();
  const waiting = new Map<number, (result: ExchangeResult) => void>();
  let next = 0;
  let outbox: Outgoing[] = [];
  let stopped = false;

  const settleAll = (): void => {
    stopped = true;
    for (const resolve of waiting.values()) resolve(STOPPED);
    waiting.clear();
  };
  thread.on('message', (answers: Incoming[]) => {
    for (const [id, result] of answers) {
      waiting.get(id)?.(result);
      waiting.delete(id);
    }
  });
  thread.on('error', settleAll);
  thread.on('exit', settleAll);

  const flush = (): void => {
    const batch = outbox;
    outbox = [];
    if (!stopped) thread.postMessage(batch);
  };

  return {
    exchange(request) {
      if (stopped) return Promise.resolve(STOPPED);
      return new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        // Requests made in the same run of code (a claim's jobs) go as one message.
        if (outbox.length === 0) queueMicrotask(flush);
        outbox.push([id, { ...request, url: String(request.url) }]);
      });
    },
    async close() {
      if (stopped) return;
      thread.ref();
      await thread.terminate();
      settleAll();
    },
  };
}

/** The thread's side: exchanges through its own dispatcher, answers gathered per turn. */
function serve(port: NonNullable<typeof parentPort>, { policy, options }: ThreadData): void {
  const dispatcher = createEgressDispatcher(policy, options);
  let outbox: Incoming[] = [];
  const flush = (): void => {
    const batch = outbox;
    outbox = [];
    port.postMessage(batch);
  };
  port.on('message', (batch: Outgoing[]) => {
    for (const [id, request] of batch) {
      void exchange(dispatcher, request).then((result) => {
        if (outbox.length === 0) setImmediate(flush);
        // Errors carry sockets and causes that cannot be cloned: what the caller reads is kept.
        outbox.push([id, result.answered ? result : { ...result, error: egressRefusal(result.error) }]);
      });
    }
  });
}

if (!isMainThread && (workerData as ThreadData | null)?.role === 'herald-exchange') serve(parentPort!, workerData as ThreadData);
