import type { Dispatcher } from 'undici';
import { describeNetworkError, UNDICI_TIMEOUT_CODES } from './egress-dispatcher.js';

type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

/**
 * The contract's ceiling on any remote answer (delivery, test send, handshake): a receiver
 * decides how much it sends, so Herald decides how much it reads.
 */
export const REMOTE_ANSWER_LIMIT_BYTES = 64 * 1024;

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: string | URL;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, connection to last byte: at this moment it ends, whatever the receiver is doing. */
  timeoutMs: number;
  /** Bytes of the answer kept (at most REMOTE_ANSWER_LIMIT_BYTES); the rest is never downloaded. */
  limitBytes: number;
}

/**
 * What came back: a status line (with at most `limitBytes` of body), or the error that ended
 * the exchange first, with `reason`, the short text the logs show for it.
 */
export type ExchangeResult =
  | { answered: true; statusCode: number; headers: IncomingHttpHeaders; text: string; truncated: boolean }
  | { answered: false; error: unknown; timedOut: boolean; reason: string };

/** An exchange as the engine makes it: in place (`exchange` over a dispatcher) or on a thread (exchange-thread.ts). */
export type Exchange = (request: ExchangeRequest) => Promise<ExchangeResult>;

class DeadlineReached extends Error {}

/**
 * When the egress guard refused the address dialled, the error (somewhere along its causes)
 * carries what the host resolved to as `detail`: that, alone, as plain data; else null.
 */
export function egressRefusal(error: unknown): { detail: unknown } | null {
  for (let current = error as { detail?: unknown; cause?: unknown } | null, depth = 0; current && depth < 4; current = current.cause as typeof current, depth++) {
    if (current.detail !== undefined) return { detail: current.detail };
  }
  return null;
}

/**
 * One request and its capped answer: the only way Herald talks to a receiver.
 *
 * It dispatches with a handler of its own instead of undici's `request()`, whose body stream,
 * async iterator and AbortSignal cost twice the CPU of the exchange itself (scratch benchmark:
 * ~115 → ~60 µs a POST on loopback; most of a delivery's outbound cost). Three ways to end:
 * - the answer is complete, or `limitBytes` of it arrived (then the socket is closed: an
 *   endless or huge body is cut off, not buffered; one 256 MB answer once grew RSS by 700 MB);
 * - the deadline: before the status line it is a timeout; after it, the status stands with
 *   what of the body came (a receiver trickling its body cannot hold an attempt open);
 * - an error: before the status line it is the answer; after it, a reset keeps what came.
 */
export function exchange(dispatcher: Dispatcher, request: ExchangeRequest): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
    const handler = new CappedAnswer(Math.min(request.limitBytes, REMOTE_ANSWER_LIMIT_BYTES), request.timeoutMs, resolve);
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: request.headers ?? {},
          body: request.body ?? null,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        },
        handler,
      );
    } catch (error) {
      handler.onResponseError(null, error as Error);
    }
  });
}

class CappedAnswer implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #statusCode: number | null = null;
  #headers: IncomingHttpHeaders = {};
  readonly #chunks: Buffer[] = [];
  #length = 0;
  #settled = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly limit: number,
    private readonly timeoutMs: number,
    private readonly resolve: (result: ExchangeResult) => void,
  ) {
    this.#timer = setTimeout(() => this.#end(new DeadlineReached()), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // The deadline passed while the connection was being made: nothing more to wait for.
    if (this.#settled) controller.abort(new DeadlineReached());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.#statusCode = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    const room = this.limit - this.#length;
    this.#chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.#length += Math.min(chunk.length, room);
    if (this.#length >= this.limit) this.#end(null, true);
  }

  onResponseEnd(): void {
    this.#end(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.#end(error);
  }

  /** Settles once; anything still running (a connection, a body) is aborted, which closes its socket. */
  #end(error: Error | null, truncated = false): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    if (error !== null || truncated) this.#controller?.abort(error ?? new Error('answer limit reached'));
    if (this.#statusCode !== null) {
      // A multi-byte character cut at the limit decodes as U+FFFD rather than throwing.
      const text = this.#chunks.length === 0 ? '' : new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(this.#chunks));
      this.resolve({ answered: true, statusCode: this.#statusCode, headers: this.#headers, text, truncated });
    } else {
      const timedOut = error instanceof DeadlineReached || isTimeout(error);
      this.resolve({ answered: false, error, timedOut, reason: timedOut ? `timeout after ${this.timeoutMs} ms` : describeNetworkError(error) });
    }
  }
}

// Not ETIMEDOUT: the kernel's connect timeout is a network failure, named by describeNetworkError.
const isTimeout = (error: unknown): boolean => UNDICI_TIMEOUT_CODES.has(String((error as { code?: unknown } | null)?.code));
