import { request, type Dispatcher } from 'undici';
import { RESPONSE_BODY_LIMIT } from '../domain/delivery.js';
import { deadline, describeNetworkError, readCapped } from '../net/index.js';

export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface SendResult {
  statusCode: number | null;
  /** The first characters of the response, at most RESPONSE_BODY_LIMIT. */
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  retryAfter: string | null;
  /**
   * When the egress guard refused the address dialled: what the host resolved to, for the log
   * only (the stored error must not map the operator's network for a tenant).
   */
  blocked?: unknown;
}

/**
 * One POST. Redirects are never followed (undici's `request` only follows them with the
 * redirect interceptor, which this dispatcher does not have), and the response goes through
 * the one capped reader: a receiver that streams forever is cut off, not buffered.
 */
export async function sendWebhook(webhook: OutgoingWebhook, dispatcher: Dispatcher): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { signal, clear } = deadline(webhook.timeoutMs);
  try {
    const response = await request(webhook.url, {
      method: 'POST',
      headers: webhook.headers,
      body: webhook.body,
      dispatcher,
      signal,
      headersTimeout: webhook.timeoutMs,
      bodyTimeout: webhook.timeoutMs,
    });
    // A UTF-8 character is at most 4 bytes: this many bytes always hold the characters kept.
    const responseBody = (await readCapped(response.body, 4 * RESPONSE_BODY_LIMIT)).text.slice(0, RESPONSE_BODY_LIMIT);
    const retryAfter = response.headers['retry-after'];
    return {
      statusCode: response.statusCode,
      responseBody,
      error: redirectError(response.statusCode, response.headers.location),
      durationMs: elapsed(),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    };
  } catch (error) {
    const timedOut = signal.aborted || isTimeout(error);
    return {
      statusCode: null,
      responseBody: null,
      error: timedOut ? `timeout after ${webhook.timeoutMs} ms` : describeNetworkError(error),
      durationMs: elapsed(),
      retryAfter: null,
      ...blockedDetail(error),
    };
  } finally {
    clear();
  }
}

function blockedDetail(error: unknown): { blocked?: unknown } {
  for (let current = error as { detail?: unknown; cause?: unknown } | null, depth = 0; current && depth < 4; current = current.cause as typeof current, depth++) {
    if (current.detail !== undefined) return { blocked: current.detail };
  }
  return {};
}

function redirectError(statusCode: number, location: unknown): string | null {
  if (statusCode < 300 || statusCode >= 400) return null;
  return `redirect not followed${typeof location === 'string' ? ` (to ${location.slice(0, 200)})` : ''}`;
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
