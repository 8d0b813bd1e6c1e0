import { ApiError } from '../api/client.js';
import type { MessageKey } from './en.js';
import { useI18n, type I18n } from './index.js';

const CODES = new Set([
  'validation_failed', 'unsafe_url', 'schema_mismatch', 'invalid_json', 'unauthorized', 'forbidden', 'not_found', 'conflict',
  'payload_too_large', 'unsupported_media_type', 'rate_limited', 'quota_exceeded',
]);

/**
 * An error as the user reads it. In English: `code: message`, the way the server said it. In
 * Arabic the code's own sentence, with the server's (English) detail isolated after it, so a
 * full stop or an id never lands on the wrong side of the Arabic text.
 */
export function describeError(i18n: I18n, error: unknown): string {
  if (!(error instanceof ApiError)) return i18n.t('error.network');
  if (i18n.lang === 'en') return `${error.code}: ${error.message}`;
  const sentence = CODES.has(error.code) ? i18n.t(`error.${error.code}` as MessageKey) : i18n.t('error.http', { status: error.status });
  return `${sentence} (\u2068${error.message}\u2069)`;
}

export const useErrorText = () => {
  const i18n = useI18n();
  return (error: unknown) => describeError(i18n, error);
};

/**
 * Reasons and attempt errors the server writes in English (src/engine, src/store), matched and
 * said in the interface's language; anything not recognised shows as written, isolated.
 */
const SERVER_TEXTS: [RegExp, MessageKey, (match: RegExpExecArray) => Record<string, string | number>][] = [
  [/^(\d+) consecutive failed attempts$/, 'reason.consecutiveFailures', (m) => ({ count: Number(m[1]) })],
  [/^consecutive failed attempts (\d+)$/, 'reason.consecutiveFailures', (m) => ({ count: Number(m[1]) })],
  [/^Disabled by request$/, 'reason.byRequest', () => ({})],
  [/^timeout after (\d+) ms$/, 'reason.timeoutAfter', (m) => ({ ms: Number(m[1]) })],
  [/^timeout$/, 'reason.timeout', () => ({})],
  [/^HTTP (\d+)$/, 'reason.httpStatus', (m) => ({ status: m[1]! })],
  [/^connection refused$/, 'reason.refused', () => ({})],
  [/^connection reset$/, 'reason.reset', () => ({})],
  [/^handshake answered HTTP (\d+)$/, 'reason.handshakeStatus', (m) => ({ status: m[1]! })],
  [/^handshake answer did not echo the challenge$/, 'reason.handshakeEcho', () => ({})],
  [/^endpoint has no verify token$/, 'reason.noVerifyToken', () => ({})],
];

export function serverText(i18n: I18n, text: string): string {
  for (const [pattern, key, vars] of SERVER_TEXTS) {
    const match = pattern.exec(text);
    if (match) return i18n.t(key, vars(match));
  }
  return text;
}

/** An audit action (`endpoint.disabled`) in words; an unknown one as its code. */
export function auditAction(i18n: I18n, action: string): string {
  const key = `audit.action.${action}` as MessageKey;
  return key in i18n.catalog ? i18n.t(key) : action;
}
