import type { Generated } from 'kysely';

/**
 * Tables as Kysely sees them. Times are integer milliseconds since the epoch and JSON is
 * text, in both databases, so one set of queries serves SQLite and PostgreSQL; booleans
 * are 0/1 integers for the same reason.
 */
export interface Database {
  meta: { key: string; value: string };
  event_types: {
    name: string;
    description: string;
    schema: string | null;
    example: string | null;
    deprecated: number;
    created_at: number;
    updated_at: number;
  };
  tenants: { id: string; name: string; settings: string; created_at: number };
  credentials: {
    id: string;
    tenant_id: string;
    kind: string;
    hash: string;
    expires_at: number | null;
    created_at: number;
    // 0005-credential-lifecycle
    name: string | null;
    prefix: string | null;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  endpoints: {
    id: string;
    tenant_id: string;
    url: string;
    description: string;
    event_types: string;
    filter: string | null;
    status: string;
    disabled_reason: string | null;
    consecutive_failures: number;
    headers: string;
    rate_limit_per_second: number | null;
    max_in_flight: number | null;
    signature: string | null;
    secret: string | null;
    previous_secret: string | null;
    previous_secret_expires_at: number | null;
    verify_token: string | null;
    next_due_at: number | null;
    created_at: number;
    updated_at: number;
    /** The rate limit's token bucket: tokens left at `rate_refilled_at` (null: a full bucket). */
    rate_tokens: number | null;
    rate_refilled_at: number | null;
    // 0006-ordering
    ordering: string;
    /** 0010-capacity-hold: next_due_at waits for a free slot or a rate token (see the migration). */
    held: number;
    /** 0007-operator: the failing streak reached `failingAfter` and has not ended in a success yet. */
    failing: number;
  };
  events: {
    seq: Generated<number>;
    /** PostgreSQL only: the id of the transaction that wrote the event (polling order). */
    xid?: Generated<number>;
    id: string;
    tenant_id: string;
    type: string;
    data: string;
    idempotency_key: string | null;
    /** The publish span's W3C traceparent (tracing on), else null. */
    trace_context: string | null;
    is_test: number;
    created_at: number;
  };
  deliveries: {
    id: string;
    tenant_id: string;
    event_id: string;
    endpoint_id: string;
    event_type: string;
    status: string;
    attempt_count: number;
    max_attempts: number;
    /** attempt_count when the current run of the schedule started. */
    run_start: number;
    next_attempt_at: number | null;
    lease_expires_at: number | null;
    /** The worker (see `workers`) holding the lease. */
    lease_owner: string | null;
    last_attempt_at: number | null;
    is_test: number;
    created_at: number;
    /** 0006-ordering: the event's sequence, the delivery's place in a FIFO endpoint's line. */
    event_seq: number | null;
  };
  attempts: {
    id: Generated<number>;
    delivery_id: string;
    tenant_id: string;
    number: number;
    started_at: number;
    duration_ms: number;
    status_code: number | null;
    response_body: string | null;
    error: string | null;
    request_headers: string;
  };
  workers: { id: string; heartbeat_at: number; started_at: number };
  quota_usage: { tenant_id: string; period_start: number; used: number };
  /** 0015, SQLite only: deliveries of a publish not made yet, a part (JSON rows) a row (sql/fan-out.ts). */
  pending_fan_outs: { id: Generated<number>; tenant_id: string; max_attempts: number; deliveries: string };
  audit_log: {
    id: string;
    tenant_id: string;
    actor: string;
    action: string;
    target_type: string;
    target_id: string;
    details: string;
    created_at: number;
  };
  // 0005-credential-lifecycle
  credential_streams: { id: string; credential_id: string; lease_until: number };
  operator_audit_log: {
    id: string;
    actor: string;
    action: string;
    target_type: string;
    target_id: string;
    details: string;
    created_at: number;
  };
}
