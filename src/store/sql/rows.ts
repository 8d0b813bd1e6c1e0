import type { Selectable } from 'kysely';
import type { AuditEntry, OperatorAuditEntry } from '../../domain/audit.js';
import type { Attempt, Delivery, DeliveryStatus, LoggedDelivery } from '../../domain/delivery.js';
import type { Endpoint, EndpointOrdering, EndpointSecrets, EndpointStatus } from '../../domain/endpoint.js';
import type { HeraldEvent } from '../../domain/event.js';
import type { EventType } from '../../domain/event-type.js';
import type { Page } from '../../domain/page.js';
import type { Tenant } from '../../domain/tenant.js';
import type { Credential } from '../store.js';
import type { Database } from './schema.js';

/** The only place rows become domain objects (and back); nothing above the store sees a row. */

type Row<T extends keyof Database> = Selectable<Database[T]>;

const date = (ms: number | string) => new Date(Number(ms));
const optionalDate = (ms: number | string | null) => (ms === null ? null : date(ms));
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export const toEventType = (row: Row<'event_types'>): EventType => ({
  name: row.name,
  description: row.description,
  schema: json(row.schema),
  example: json(row.example),
  deprecated: Boolean(row.deprecated),
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
});

export const toTenant = (row: Row<'tenants'>): Tenant => ({
  id: row.id,
  name: row.name,
  settings: JSON.parse(row.settings),
  createdAt: date(row.created_at),
});

export const toEndpoint = (row: Row<'endpoints'>): Endpoint => ({
  id: row.id,
  tenantId: row.tenant_id,
  url: row.url,
  description: row.description,
  eventTypes: JSON.parse(row.event_types),
  filter: json(row.filter),
  status: row.status as EndpointStatus,
  disabledReason: row.disabled_reason,
  consecutiveFailures: Number(row.consecutive_failures),
  headers: JSON.parse(row.headers),
  rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
  maxInFlight: row.max_in_flight === null ? null : Number(row.max_in_flight),
  ordering: row.ordering as EndpointOrdering,
  signature: json(row.signature),
  signed: row.secret !== null || row.verify_token !== null,
  hasVerifyToken: row.verify_token !== null,
  failing: Number(row.failing) === 1,
  previousSecretExpiresAt: row.previous_secret === null ? null : optionalDate(row.previous_secret_expires_at),
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
});

export const toEndpointSecrets = (
  row: Pick<Row<'endpoints'>, 'secret' | 'previous_secret' | 'previous_secret_expires_at' | 'verify_token'>,
): EndpointSecrets => ({
  secret: row.secret,
  previousSecret: row.previous_secret,
  previousSecretExpiresAt: optionalDate(row.previous_secret_expires_at),
  verifyToken: row.verify_token,
});

export const toEvent = (row: Row<'events'>): HeraldEvent => ({
  id: row.id,
  tenantId: row.tenant_id,
  type: row.type,
  createdAt: date(row.created_at),
  data: JSON.parse(row.data),
  idempotencyKey: row.idempotency_key,
  sequence: Number(row.seq),
  traceContext: row.trace_context ?? null,
});

export const toDelivery = (row: Row<'deliveries'>): Delivery => ({
  id: row.id,
  tenantId: row.tenant_id,
  eventId: row.event_id,
  eventType: row.event_type,
  endpointId: row.endpoint_id,
  status: row.status as DeliveryStatus,
  attemptCount: Number(row.attempt_count),
  maxAttempts: Number(row.max_attempts),
  nextAttemptAt: optionalDate(row.next_attempt_at),
  lastAttemptAt: optionalDate(row.last_attempt_at),
  createdAt: date(row.created_at),
  isTest: Boolean(row.is_test),
});

/** A delivery row with its latest attempt's columns (`last_…`, null before the first attempt). */
export const toLoggedDelivery = (
  row: Row<'deliveries'> & { last_number: number | null; last_status_code: number | null; last_duration_ms: number | null; last_error: string | null },
): LoggedDelivery => ({
  ...toDelivery(row),
  lastAttempt:
    row.last_number === null
      ? null
      : { statusCode: row.last_status_code === null ? null : Number(row.last_status_code), durationMs: Number(row.last_duration_ms), error: row.last_error },
});

export const toAttempt = (row: Row<'attempts'>): Attempt => ({
  number: Number(row.number),
  startedAt: date(row.started_at),
  durationMs: Number(row.duration_ms),
  statusCode: row.status_code === null ? null : Number(row.status_code),
  responseBody: row.response_body,
  error: row.error,
  requestHeaders: JSON.parse(row.request_headers),
});

export const toAuditEntry = (row: Row<'audit_log'>): AuditEntry => ({
  id: row.id,
  tenantId: row.tenant_id,
  actor: row.actor as AuditEntry['actor'],
  action: row.action,
  targetType: row.target_type as AuditEntry['targetType'],
  targetId: row.target_id,
  details: JSON.parse(row.details),
  createdAt: date(row.created_at),
});

export const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** Pages are read with one row more than asked for: its presence says there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (row: R) => string): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: pageRows.map(map),
    nextCursor: hasMore ? cursorOf(pageRows[pageRows.length - 1]!) : null,
  };
}

// Credentials and the operator's trail (0005-credential-lifecycle) ----------

export const toCredential = (row: Row<'credentials'>): Credential => ({
  id: row.id,
  tenantId: row.tenant_id,
  kind: row.kind as Credential['kind'],
  name: row.name,
  prefix: row.prefix,
  expiresAt: optionalDate(row.expires_at),
  createdAt: date(row.created_at),
  lastUsedAt: optionalDate(row.last_used_at),
});

export const toOperatorAuditEntry = (row: Row<'operator_audit_log'>): OperatorAuditEntry => ({
  id: row.id,
  actor: row.actor as OperatorAuditEntry['actor'],
  action: row.action,
  targetType: row.target_type as OperatorAuditEntry['targetType'],
  targetId: row.target_id,
  details: JSON.parse(row.details),
  createdAt: date(row.created_at),
});
