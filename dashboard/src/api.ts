/** The dashboard's only way to Herald: /api/v1 with a bearer token. Shapes mirror src/api/schemas.ts. */

export type Me = { kind: 'admin' } | { kind: 'tenant'; tenantId: string; via: 'tenant_key' | 'portal' };
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
export interface Tenant {
  id: string;
  name: string;
  settings: {
    signature: { scheme: string; header?: string; prefix?: string };
    envelope: 'snake' | 'camel';
    retrySchedule: number[];
    attemptTimeoutMs: number;
    autoDisableAfterFailures: number;
    userAgent: string;
    eventQuota: { limit: number; period: 'day' | 'month' } | null;
    retentionDays: number;
  };
  createdAt: string;
}
export interface EventType {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: unknown;
  deprecated: boolean;
  createdAt: string;
}
export interface Endpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  filter: Record<string, unknown> | null;
  status: string;
  disabledReason: string | null;
  consecutiveFailures: number;
  signed: boolean;
  hasVerifyToken: boolean;
  createdAt: string;
}
export interface TestResult {
  success: boolean;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
  deliveryId: string;
}
export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: string;
  attemptCount: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
  isTest: boolean;
}
export interface Attempt {
  number: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  requestHeaders: Record<string, string>;
}
export interface DeliveryDetail extends Delivery {
  event: unknown;
  attempts: Attempt[];
}
export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  createdAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function makeApi(token: string, onUnauthorized: () => void): Api {
  return async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      throw new ApiError(response.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `HTTP ${response.status}`);
    }
    return json as T;
  };
}

/** `code: message`, the way the server said it. */
export const describeError = (error: unknown): string =>
  error instanceof ApiError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);

export const query = (params: Record<string, string | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
};

export interface StatsFigures {
  attempts: number;
  succeeded: number;
  successRate: number | null;
  avgLatencyMs: number | null;
  maxLatencyMs: number | null;
}
export interface TenantStats {
  from: string;
  to: string;
  bucket: 'hour' | 'day';
  bucketMs: number;
  endpoints: { endpointId: string; totals: StatsFigures; buckets: (StatsFigures & { start: string })[] }[];
}

export interface OutcomeCounts {
  succeeded: number;
  failed: number;
  pending: number;
}
export interface OperatorStats {
  from: string;
  to: string;
  bucket: 'hour' | 'day';
  bucketMs: number;
  totals: OutcomeCounts;
  buckets: (OutcomeCounts & { start: string })[];
}
