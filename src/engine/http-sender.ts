import { request, type Dispatcher } from 'undici';
import { RESPONSE_BODY_LIMIT } from '../domain/delivery.js';
import { describeNetworkError } from '../net/index.js';

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
}

/**
 * One POST. Redirects are never followed (undici's `request` only follows them with the
 * redirect interceptor, which this dispatcher does not have), and the response is read only
 * up to the limit: a receiver that streams forever is cut off, not buffered.
 */
export async function sendWebhook(webhook: OutgoingWebhook, dispatcher: Dispatcher): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(webhook.timeoutMs);
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
    const responseBody = await readLimited(response.body);
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
    };
  }
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let text = '';
  try {
    for await (const chunk of body) {
      text += decoder.decode(chunk as Buffer, { stream: true });
      if (text.length >= RESPONSE_BODY_LIMIT) {
        body.destroy();
        break;
      }
    }
  } catch {
    // A body that breaks off after the status line still leaves us the status: keep what came.
  }
  return text.slice(0, RESPONSE_BODY_LIMIT);
}

function redirectError(statusCode: number, location: unknown): string | null {
  if (statusCode < 300 || statusCode >= 400) return null;
  return `redirect not followed${typeof location === 'string' ? ` (to ${location.slice(0, 200)})` : ''}`;
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
