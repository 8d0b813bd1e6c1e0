import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createEgressDispatcher, type EgressDispatcherOptions } from './egress-dispatcher.js';
import type { EgressPolicy } from './egress-policy.js';
import { egressRefusal, exchange, type Exchange, type ExchangeRequest, type ExchangeResult } from './exchange.js';

/**
 * Deliveries' HTTP exchanges on a thread of their own. The thread that claims, records and
 * (on SQLite) serves the API was the limit (one core busy, the second a third idle), and the
 * exchange (undici's dispatch, socket writes, the response's parsing, its timer) was a sixth
 * of it. The thread owns the egress dispatcher (SSRF checks included); requests and answers
 * cross as plain data: the requests made in one run of code (a claim's jobs) as one message, the
 * answers that end in one turn of the thread's loop as one.
 *
 * `npm run bench`, SQLite, against the same build with `--no-delivery-thread`, two alternated
 * pairs: single publishes 4,709 and 4,773 → 5,434 and 5,376/s, batches 6,312 and 6,343 → 6,807
 * and 6,639/s, fan-out 8,024 and 8,699 → 9,226 and 9,519 deliveries/s; its publish call p50 21
 * and 21 → 27 and 28 ms (the call waits behind the engine's transactions, which come faster).
 * On PostgreSQL it was slower, and main.ts uses it on SQLite only.
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

/**
 * A small young generation: V8's default alone added about 30 MB to the process (the 50,000
 * backlog's RSS max: 255 MB without the thread, 286 with the defaults). The old generation keeps
 * V8's limit: the thread holds the bodies of every attempt in flight, up to 128 of the largest
 * event (1 MiB) in one claim, and a thread past its limit is ended with all it holds (a 64 MB
 * limit did that to such a claim, and would have again at every retry).
 */
const HEAP_LIMITS = { maxYoungGenerationSizeMb: 4 };

export function startExchangeThread(policy: EgressPolicy, options: EgressDispatcherOptions = {}, onError: (error: Error) => void = () => undefined): ExchangeThread {
  // A resolver is code: it cannot cross to another thread (tests inject one; they exchange in place).
  if (policy.resolve) throw new Error('an egress policy with its own resolver cannot be used on the delivery thread');
  const data: ThreadData = { role: 'herald-exchange', policy, options };
  const waiting = new Map<number, (result: ExchangeResult) => void>();
  let next = 0;
  let outbox: Outgoing[] = [];
  let closed = false;
  let thread: Worker | null = null;

  // A thread that died (it should not: every exchange settles as a result) fails what it held
  // and is started again by the next exchange.
  const settleAll = (): void => {
    for (const resolve of waiting.values()) resolve(STOPPED);
    waiting.clear();
  };
  const spawn = (): Worker => {
    const worker = new Worker(new URL('./exchange-thread.js', import.meta.url), { workerData: data, resourceLimits: HEAP_LIMITS, execArgv: profilingArgs() });
    // Idle, the thread must not keep a process alive; close() holds it while it waits.
    worker.unref();
    worker.on('message', (answers: Incoming[]) => {
      for (const [id, result] of answers) {
        waiting.get(id)?.(result);
        waiting.delete(id);
      }
    });
    worker.on('error', onError);
    worker.once('exit', () => {
      if (thread === worker) thread = null;
      settleAll();
    });
    return worker;
  };
  const flush = (): void => {
    const batch = outbox;
    outbox = [];
    if (closed) return;
    try {
      thread ??= spawn();
      thread.postMessage(batch);
    } catch (error) {
      // A thread that cannot start fails these attempts (retried later), never the process.
      onError(error as Error);
      settleAll();
    }
  };

  return {
    exchange(request) {
      if (closed) return Promise.resolve(STOPPED);
      return new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        // Requests made in the same run of code (a claim's jobs) go as one message.
        if (outbox.length === 0) queueMicrotask(flush);
        // A URL object cannot be cloned; deliveries pass strings, which go as they are.
        outbox.push([id, typeof request.url === 'string' ? request : { ...request, url: String(request.url) }]);
      });
    },
    async close() {
      closed = true;
      const worker = thread;
      thread = null;
      if (worker) {
        worker.ref();
        await worker.terminate();
      }
      settleAll();
    },
  };
}

/**
 * Under `node --cpu-prof --cpu-prof-name x.cpuprofile` the thread profiles into
 * x-delivery.cpuprofile (with the same name, the last thread to exit would overwrite the main
 * thread's profile). Only the profiling flags are passed: a Worker given the process's own
 * (`--max-old-space-size`, `--v8-pool-size`…) refuses to start. Otherwise: Node's default.
 */
function profilingArgs(): string[] | undefined {
  const args: string[] = [];
  const given = process.execArgv;
  for (let i = 0; i < given.length; i++) {
    const arg = given[i]!;
    if (!arg.startsWith('--cpu-prof')) continue;
    const value = /^--cpu-prof-(dir|name|interval)$/.test(arg) ? given[++i] : undefined;
    args.push(...[arg, ...(value === undefined ? [] : [value])].map((part) => part.replace(/\.cpuprofile$/, '-delivery.cpuprofile')));
  }
  return args.length > 0 ? args : undefined;
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
