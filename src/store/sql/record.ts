import type { Kysely } from 'kysely';
import type { AttemptRecord, RecordOutcome } from '../store.js';
import { NEXT_DUE } from './endpoint-schedule.js';
import { fixedStatement, jsonRows, jsonTexts } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import type { Database } from './schema.js';

/**
 * Recording a batch of N attempts is four statements whatever N (it was 3 + 1 per attempt + 1
 * per endpoint): lock the endpoints (id order, as every endpoint lock, so two transactions
 * never wait on each other in a cycle; first, so the reschedule below reads a snapshot taken
 * after the lock: see endpoint-schedule.ts), update the deliveries from one JSON list, insert
 * the attempts in one multi-row insert, and write each endpoint's health and schedule in one
 * update. Health is worked out here from the locked rows, in record order per endpoint.
 */
export function recordStatements(kind: SqlDialect) {
  const lockEndpoints = fixedStatement<{ delivery_id: string; tenant_id: string; id: string; status: string; consecutive_failures: number }>(
    kind,
    // Each endpoint is locked once, in id order, before the join: locking through the join
    // locked an endpoint once per delivery, and such a re-lock queued behind a publish that
    // was itself waiting for this transaction (a deadlock seen under npm run bench).
    `with locked as (
       select id, status, consecutive_failures from endpoints
       where id in (select endpoint_id from deliveries where id in ${jsonTexts(kind)})
       order by id${kind === 'postgres' ? ' for no key update' : ''})
     select d.id as delivery_id, d.tenant_id, e.id, e.status, e.consecutive_failures
     from deliveries d join locked e on e.id = d.endpoint_id
     where d.id in ${jsonTexts(kind)}`,
  );
  const outcomes = jsonRows(kind, [
    ['id', 'text'],
    ['status', 'text'],
    ['attempt_count', 'integer'],
    ['last_attempt_at', 'bigint'],
    ['next_attempt_at', 'bigint'],
  ]);
  const updateDeliveries = fixedStatement(
    kind,
    `update deliveries set status = o.status, attempt_count = o.attempt_count, last_attempt_at = o.last_attempt_at,
       next_attempt_at = o.next_attempt_at, lease_expires_at = null, lease_owner = null
     from ${outcomes} as o where deliveries.id = o.id`,
  );
  const attempts = jsonRows(kind, [
    ['delivery_id', 'text'],
    ['tenant_id', 'text'],
    ['number', 'integer'],
    ['started_at', 'bigint'],
    ['duration_ms', 'integer'],
    ['status_code', 'integer'],
    ['response_body', 'text'],
    ['error', 'text'],
    ['request_headers', 'text'],
  ]);
  const insertAttempts = fixedStatement(
    kind,
    `insert into attempts (delivery_id, tenant_id, number, started_at, duration_ms, status_code, response_body, error, request_headers)
     select delivery_id, tenant_id, number, started_at, duration_ms, status_code, response_body, error, request_headers from ${attempts} as a order by ord`,
  );
  const health = jsonRows(kind, [
    ['id', 'text'],
    ['consecutive_failures', 'integer'],
    ['disabled_reason', 'text'],
    ['updated_at', 'bigint'],
  ]);
  const updateEndpoints = fixedStatement<{ id: string; next_due_at: number | null }>(
    kind,
    `update endpoints set consecutive_failures = h.consecutive_failures,
       status = case when h.disabled_reason is null then endpoints.status else 'disabled' end,
       disabled_reason = coalesce(h.disabled_reason, endpoints.disabled_reason),
       updated_at = coalesce(h.updated_at, endpoints.updated_at),
       next_due_at = ${NEXT_DUE}
     from ${health} as h where endpoints.id = h.id returning endpoints.id, endpoints.next_due_at`,
  );
  return { lockEndpoints, updateDeliveries, insertAttempts, updateEndpoints };
}

export type RecordStatements = ReturnType<typeof recordStatements>;

interface EndpointState {
  tenantId: string;
  status: string;
  failures: number;
  disabledBy: number | null;
  reason: string | null;
  now: number;
}

export async function recordInTransaction(
  trx: Kysely<Database>,
  q: RecordStatements,
  records: AttemptRecord[],
): Promise<{ outcomes: RecordOutcome[]; rescheduled: string[] }> {
  const deliveryIds = JSON.stringify(records.map((r) => r.deliveryId));
  const locked = await q.lockEndpoints.run(trx, [deliveryIds, deliveryIds]);
  const endpointOf = new Map(locked.map((row) => [row.delivery_id, row]));
  const states = new Map<string, EndpointState>();
  for (const row of locked) {
    if (!states.has(row.id)) states.set(row.id, { tenantId: row.tenant_id, status: row.status, failures: Number(row.consecutive_failures), disabledBy: null, reason: null, now: 0 });
  }

  const kept = records.filter((record) => endpointOf.has(record.deliveryId)); // deleted while in flight: nothing to keep
  records.forEach((record, i) => {
    const row = endpointOf.get(record.deliveryId);
    if (row) applyHealth(states.get(row.id)!, record, i);
  });
  if (kept.length > 0) {
    const outcomes = kept.map(({ deliveryId, attempt, verdict }) => [
      deliveryId,
      verdict.kind === 'retry' ? 'failed' : verdict.kind,
      attempt.number,
      attempt.startedAt.getTime(),
      verdict.kind === 'retry' ? verdict.at.getTime() : null,
    ]);
    await q.updateDeliveries.run(trx, [JSON.stringify(outcomes)]);
    const attempts = kept.map(({ deliveryId, attempt }) => [
      deliveryId,
      endpointOf.get(deliveryId)!.tenant_id,
      attempt.number,
      attempt.startedAt.getTime(),
      attempt.durationMs,
      attempt.statusCode,
      attempt.responseBody,
      attempt.error,
      JSON.stringify(attempt.requestHeaders),
    ]);
    await q.insertAttempts.run(trx, [JSON.stringify(attempts)]);
  }
  const nextDue = new Map<string, number | null>();
  if (states.size > 0) {
    const health = [...states].map(([id, s]) => [id, s.failures, s.reason, s.reason === null ? null : s.now]);
    for (const row of await q.updateEndpoints.run(trx, [JSON.stringify(health)])) nextDue.set(row.id, row.next_due_at === null ? null : Number(row.next_due_at));
  }

  const outcomes = records.map((record, i): RecordOutcome => {
    const row = endpointOf.get(record.deliveryId);
    if (!row) return { endpointDisabled: null, moreDue: false };
    const state = states.get(row.id)!;
    const due = nextDue.get(row.id);
    return {
      endpointDisabled: state.disabledBy === i ? { endpointId: row.id, tenantId: state.tenantId, reason: state.reason! } : null,
      moreDue: due !== undefined && due !== null && due <= record.now.getTime(),
    };
  });
  return { outcomes, rescheduled: [...states.keys()] };
}

/** One attempt's effect on its endpoint's health, in record order (as the old per-row updates had it). */
function applyHealth(state: EndpointState, record: AttemptRecord, index: number): void {
  if (record.endpointHealth === 'ignore') return;
  if (record.endpointHealth === 'success') {
    state.failures = 0;
    return;
  }
  state.failures += 1;
  if (state.status !== 'active') return;
  const threshold = record.autoDisableAfterFailures;
  const reason =
    record.endpointHealth === 'gone'
      ? 'The endpoint answered 410 Gone'
      : threshold > 0 && state.failures >= threshold
        ? `${state.failures} consecutive failed attempts`
        : null;
  if (!reason) return;
  Object.assign(state, { status: 'disabled', reason, disabledBy: index, now: record.now.getTime() });
}
