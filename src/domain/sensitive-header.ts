/** What answers and attempt logs show instead of a sensitive header's value. */
export const REDACTED = '[redacted]';

const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SENSITIVE_PARTS = /token|secret|key|auth|password|signature/i;

/**
 * A header whose value is a credential: sealed at rest, sent as given, never shown again.
 * The name decides, not the value: a value cannot be judged, and a wide net costs only a
 * `[redacted]` where a harmless value would have been shown.
 */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_NAMES.has(name.toLowerCase()) || SENSITIVE_PARTS.test(name);
}

/** The headers with every sensitive value replaced by `[redacted]`. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSensitiveHeader(name) ? REDACTED : value]));
}
