/**
 * Every public error in one table, keyed by its stable code. Throw only these classes:
 * the API's error handler turns them into `{"error":{code,message,details}}` with the
 * status from this table, and answers anything else as a bare 500.
 */
export const ERROR_TABLE = {
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  validation_failed: 422,
  unsafe_url: 422,
  schema_mismatch: 422,
  rate_limited: 429,
  quota_exceeded: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class HeraldError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown[] = [],
    /** Extra response headers, e.g. `Retry-After` on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HeraldError';
    this.status = ERROR_TABLE[code];
  }
}

export const notFound = (what: string) => new HeraldError('not_found', `${what} not found`);
export const conflict = (message: string) => new HeraldError('conflict', message);
export const validationFailed = (message: string, details: unknown[] = []) =>
  new HeraldError('validation_failed', message, details);
export const forbidden = (message = 'This token cannot reach this route') => new HeraldError('forbidden', message);
export const unauthorized = (message = 'A valid bearer token is required') => new HeraldError('unauthorized', message);

/** For `value ?? missing('Endpoint')`: throws the 404 of the thing that was not found. */
export function missing(what: string): never {
  throw notFound(what);
}
