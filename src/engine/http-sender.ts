import { RESPONSE_BODY_LIMIT } from '../domain/delivery.js';
import { egressRefusal, type Exchange } from '../net/index.js';

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
 * One POST. Redirects are never followed (a plain dispatch has no redirect interceptor), and
 * the answer is read through the one capped exchange: a receiver that streams forever is cut
 * off at the attempt's deadline or the answer limit, whichever comes first.
 */
export async function sendWebhook(webhook: OutgoingWebhook, exchange: Exchange): Promise<SendResult> {
  const started = performance.now();
  // A UTF-8 character is at most 4 bytes: this many bytes always hold the characters kept.
  const result = await exchange({ method: 'POST', url: webhook.url, headers: webhook.headers, body: webhook.body, timeoutMs: webhook.timeoutMs, limitBytes: 4 * RESPONSE_BODY_LIMIT });
  const durationMs = Math.round(performance.now() - started);
  if (!result.answered) {
    return {
      statusCode: null,
      responseBody: null,
      error: result.reason,
      durationMs,
      retryAfter: null,
      ...refusedAddress(result.error),
    };
  }
  const retryAfter = result.headers['retry-after'];
  return {
    statusCode: result.statusCode,
    responseBody: result.text.slice(0, RESPONSE_BODY_LIMIT),
    error: redirectError(result.statusCode, result.headers.location),
    durationMs,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
  };
}

function refusedAddress(error: unknown): { blocked?: unknown } {
  const refusal = egressRefusal(error);
  return refusal ? { blocked: refusal.detail } : {};
}

function redirectError(statusCode: number, location: unknown): string | null {
  if (statusCode < 300 || statusCode >= 400) return null;
  return `redirect not followed${typeof location === 'string' ? ` (to ${location.slice(0, 200)})` : ''}`;
}
