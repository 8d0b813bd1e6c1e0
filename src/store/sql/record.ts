import type { Kysely } from 'kysely';
import { isOperatorTenant, type OperationalEvent } from '../../domain/operational-event.js';
import type { AttemptRecord, RecordOutcome } from '../store.js';
import { NEXT_DUE } from './endpoint-schedule.js';
import { fixedStatement, isOneOf, jsonRows, keyedByFirstColumn, keyedParameters, rowByKey, runTogether, type StatementCall } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { emitOperational, operationalStatements, readOperatorSettings } from './operational-events.js';
import { publishStatements, type DueWork } from './publish.js';
import type { Database } from './schema.js';

/**
 * Recording a batch of N attempts is four statements whatever N (it was 3 + 1 per attempt + 1
 * per endpoint): lock the endpoints (id order, as every endpoint lock, so two transactions
 * never wait on each other in a cycle; first, so the reschedule below reads a snapshot taken
 * after the lock), update the deliveries from one JSON list and insert the attempts in one
 * multi-row insert, and write each endpoint's health and schedule in one update (on PostgreSQL
 * the three writes are one statement, two with a FIFO endpoint, and go in one round trip: two
 * in all, BEGIN travelling with the lock; see `write`); an endpoint left with nothing due is
 * read again after the commit (`settled`: see endpoint-schedule.ts).
 * Health is worked out here from the locked rows, in record order per endpoint, and with
 * it the operational events the attempts cause (operational-events.ts), written in this same
 * transaction: a batch with a failure reads `failingAfter` (one more statement), a batch that
 * causes events publishes them to the operator (a few more); a batch of successes costs nothing.
 */
export function recordStatements(kind: SqlDialect) {
  // PostgreSQL locks each endpoint once, in id order, before the join: locking through the join locked
  // an endpoint once per delivery, and such a re-lock queued behind a publish that was itself
  // waiting for this transaction (a deadlock seen under npm run bench).
  const lockEndpoints =
    kind === 'postgres'
      ? fixedStatement<LockedRow>(
          kind,
          `with mine as materialized (
             select d.id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type
             from json_array_elements_text(?::json) as ids(id) join ${rowByKey('deliveries', 'ids.id')} as d on true),
           locked as (
             select id, status, consecutive_failures, url, failing, ordering, held from endpoints
             where id = any(array(select endpoint_id from mine))
             order by id for no key update)
           select m.id as delivery_id, m.tenant_id, e.id, e.status, e.consecutive_failures, m.event_id, m.event_type, e.url, e.failing, e.ordering, e.held
           from mine m join locked e on e.id = m.endpoint_id`,
        )
      : // SQLite has one writer: nothing to lock, one read.
        fixedStatement<LockedRow>(
          kind,
          `select d.id as delivery_id, d.tenant_id, e.id, e.status, e.consecutive_failures, d.event_id, d.event_type, e.url, e.failing, e.ordering, e.held
           from deliveries d join endpoints e on e.id = d.endpoint_id
           where ${isOneOf(kind, 'd.id')}`,
        );
  const outcomes = jsonRows(kind, [
    ['id', 'text'],
    ['status', 'text'],
    ['attempt_count', 'integer'],
    ['last_attempt_at', 'bigint'],
    ['next_attempt_at', 'bigint'],
  ]);
  const outcomesSet = `status = o.status, attempt_count = o.attempt_count, last_attempt_at = o.last_attempt_at,
       next_attempt_at = o.next_attempt_at, lease_expires_at = null, lease_owner = null`;
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
  const insertAttemptsSql = `insert into attempts (delivery_id, tenant_id, number, started_at, duration_ms, status_code, response_body, error, request_headers)
     select delivery_id, tenant_id, number, started_at, duration_ms, status_code, response_body, error, request_headers from ${attempts} as a order by ord`;
  const health = jsonRows(kind, [
    ['id', 'text'],
    ['consecutive_failures', 'integer'],
    ['disabled_reason', 'text'],
    ['updated_at', 'bigint'],
    ['failing', 'integer'],
    ['retry_at', 'bigint'],
  ]);
  const healthSet = `consecutive_failures = h.consecutive_failures, failing = h.failing,
       status = case when h.disabled_reason is null then endpoints.status else 'disabled' end,
       disabled_reason = coalesce(h.disabled_reason, endpoints.disabled_reason),
       updated_at = coalesce(h.updated_at, endpoints.updated_at), held = 0`;
  type Scheduled = { id: string; next_due_at: number | null };
  const updateEndpoints = fixedStatement<Scheduled>(
    kind,
    `update endpoints set ${healthSet}, next_due_at = ${NEXT_DUE}
     from ${health} as h where endpoints.id = h.id${keyedByFirstColumn(kind, 'endpoints.id')} returning endpoints.id, endpoints.next_due_at`,
  );
  // PostgreSQL: the whole record in one statement after the lock (data-modifying CTEs), one
  // round trip instead of two: the worker's cycle waits on its round trips. All parts of one
  // statement read the same snapshot, from before its own writes, so the schedule cannot see
  // the attempts' new states: NEXT_DUE finds the waiting deliveries as they were (the recorded
  // ones were in flight then, as finished ones are not waiting now) and the record's own
  // retries come in as h.retry_at. A FIFO line's NEXT_DUE would see the recorded attempt still
  // in flight, so a record touching a FIFO endpoint writes in two statements (as SQLite does in
  // three: it has no data-modifying CTEs, and no round trips to save).
  // Each delivery found by its key first: joined straight to the JSON rows, the cached plan of
  // a young database scanned every delivery (rowByKey).
  const byKey = `update deliveries set ${outcomesSet}
       from (select o.*, k.id as key from ${outcomes} as o cross join ${rowByKey('deliveries', 'o.id', 'id')} as k) as o
       where deliveries.id = o.key`;
  const writeAll =
    kind === 'postgres'
      ? fixedStatement<Scheduled>(
          kind,
          `with outcome as (${byKey}), added as (${insertAttemptsSql})
           update endpoints set ${healthSet}, next_due_at = least(${NEXT_DUE}, h.retry_at)
           from ${health} as h where endpoints.id = h.id${keyedByFirstColumn(kind, 'endpoints.id')} returning endpoints.id, endpoints.next_due_at`,
        )
      : null;
  // Without writeAll, the deliveries' outcomes and the attempts go before the endpoints' update:
  // PostgreSQL in one statement, SQLite in two.
  let writeApart: (json: RecordJson) => StatementCall[];
  if (kind === 'postgres') {
    const both = fixedStatement(kind, `with outcome as (${byKey}) ${insertAttemptsSql}`);
    writeApart = (json) => [[both, [json.outcomes, json.attempts]]];
  } else {
    const deliveries = fixedStatement(kind, `update deliveries set ${outcomesSet} from ${outcomes} as o where deliveries.id = o.id`);
    const attempts = fixedStatement(kind, insertAttemptsSql);
    writeApart = (json) => [
      [deliveries, [json.outcomes]],
      [attempts, [json.attempts]],
    ];
  }
  /**
   * The deliveries, attempts and endpoints of a record, all in one round trip (runTogether);
   * answers each endpoint's new schedule, and the rows of `rider`, a statement sent behind them.
   */
  const write = async (trx: Kysely<Database>, json: RecordJson, fifo: boolean, rider: StatementCall | null): Promise<[Scheduled[], unknown[] | null]> => {
    const health = [json.health, ...keyedParameters(kind, json.health)];
    const calls: StatementCall[] = writeAll && !fifo ? [[writeAll, [json.outcomes, json.attempts, ...health]]] : [...writeApart(json), [updateEndpoints, health]];
    const answers = await runTogether(trx, rider ? [...calls, rider] : calls);
    return [answers[calls.length - 1] as Scheduled[], rider ? answers[calls.length]! : null];
  };
  const operational = { ...operationalStatements(kind), publish: publishStatements(kind) };
  return { lockEndpoints, write, operational };
}

interface LockedRow {
  /** Held at its cap (or for a rate token) when the lock found it: see rider. */
  held: number;
  delivery_id: string;
  tenant_id: string;
  id: string;
  status: string;
  consecutive_failures: number;
  event_id: string;
  event_type: string;
  url: string;
  failing: number;
  ordering: string;
}

/** A record's three JSON row sources: the deliveries' outcomes, the attempts, the endpoints' health. */
interface RecordJson {
  outcomes: string;
  attempts: string;
  health: string;
}

export type RecordStatements = ReturnType<typeof recordStatements>;

interface EndpointState {
  tenantId: string;
  status: string;
  failures: number;
  disabledBy: number | null;
  reason: string | null;
  now: number;
  /** The failing streak reached `failingAfter` (endpoint.failing sent) and has not ended yet. */
  failing: boolean;
}

/**
 * Records the attempts in the caller's transaction. `rider`, a statement that needs nothing from
 * the record but must see its writes (the refill's due endpoints, delivery-queue.ts), is sent
 * together with the record's last write, one round trip fewer on PostgreSQL, when the lock found
 * one of the endpoints held at its cap (busy: the record frees slots its waiting work will take).
 * Otherwise it is not sent (`ridden` is null): sent with every record, or whenever an endpoint
 * had work due, PostgreSQL's p99 at 200 events/s read 69-79 ms in four whole bench runs against
 * 46 and 47 without it (39 and 62 held only). Its rows are answered.
 */
export async function recordInTransaction(
  trx: Kysely<Database>,
  q: RecordStatements,
  records: AttemptRecord[],
  rider: StatementCall | null = null,
): Promise<{ outcomes: RecordOutcome[]; due: DueWork | null; settled: string[]; ridden: unknown[] | null; clock: number }> {
  const started = performance.now();
  const deliveryIds = JSON.stringify(records.map((r) => r.deliveryId));
  const locked = await q.lockEndpoints.run(trx, [deliveryIds]);
  const now = Math.max(...records.map((r) => r.now.getTime()));
  const riding = locked.some((row) => Number(row.held) === 1) ? rider : null;
  const endpointOf = new Map(locked.map((row) => [row.delivery_id, row]));
  const states = new Map<string, EndpointState>();
  for (const row of locked) {
    if (!states.has(row.id)) {
      states.set(row.id, { tenantId: row.tenant_id, status: row.status, failures: Number(row.consecutive_failures), disabledBy: null, reason: null, now: 0, failing: Number(row.failing) === 1 });
    }
  }
  // Read only when an attempt failed: a batch of successes costs no extra statement.
  const tenantFailures = records.some((r) => (r.endpointHealth === 'failure' || r.endpointHealth === 'gone') && !isOperatorTenant(endpointOf.get(r.deliveryId)?.tenant_id ?? ''));
  const failingAfter = tenantFailures ? (await readOperatorSettings(trx, q.operational)).failingAfter : Infinity;
  const operational: OperationalEvent[][] = records.map(() => []);

  const kept = records.filter((record) => endpointOf.has(record.deliveryId)); // deleted while in flight: nothing to keep
  records.forEach((record, i) => {
    const row = endpointOf.get(record.deliveryId);
    if (!row) return;
    const state = states.get(row.id)!;
    applyHealth(state, record, i);
    // Deliveries to the operator's own endpoints never cause operational events.
    if (!isOperatorTenant(row.tenant_id)) operational[i] = operationalEvents(state, row, record, i, failingAfter);
  });
  const nextDue = new Map<string, number | null>();
  let ridden: unknown[] | null = null;
  if (kept.length > 0) {
    const outcomes = kept.map(({ deliveryId, attempt, verdict }) => [
      deliveryId,
      verdict.kind === 'retry' ? 'failed' : verdict.kind,
      attempt.number,
      attempt.startedAt.getTime(),
      verdict.kind === 'retry' ? verdict.at.getTime() : null,
    ]);
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
    const retryAt = new Map<string, number>();
    for (const { deliveryId, verdict } of kept) {
      const endpointId = endpointOf.get(deliveryId)!.id;
      if (verdict.kind === 'retry') retryAt.set(endpointId, Math.min(retryAt.get(endpointId) ?? Infinity, verdict.at.getTime()));
    }
    const health = [...states].map(([id, s]) => [id, s.failures, s.reason, s.reason === null ? null : s.now, s.failing ? 1 : 0, retryAt.get(id) ?? null]);
    const json = { outcomes: JSON.stringify(outcomes), attempts: JSON.stringify(attempts), health: JSON.stringify(health) };
    const fifo = locked.some((row) => row.ordering === 'fifo');
    const [scheduled, answer] = await q.write(trx, json, fifo, riding);
    for (const row of scheduled) nextDue.set(row.id, row.next_due_at === null ? null : Number(row.next_due_at));
    ridden = answer;
  } else if (riding) ridden = (await runTogether(trx, [riding]))[0]!;
  const due = await emitOperational(trx, q.operational, operational.flat(), records[0]?.now ?? new Date());

  const elapsed = performance.now() - started;
  const outcomes = records.map((record, i): RecordOutcome => {
    const row = endpointOf.get(record.deliveryId);
    if (!row) return { endpointDisabled: null, moreDue: false, dueLaterAt: null, operational: [] };
    const state = states.get(row.id)!;
    const due = nextDue.get(row.id);
    return {
      endpointDisabled: state.disabledBy === i ? { endpointId: row.id, tenantId: state.tenantId, reason: state.reason! } : null,
      // Against the attempt's end moved on by the time recording took: work published meanwhile is due already.
      moreDue: due !== undefined && due !== null && due <= record.now.getTime() + elapsed,
      dueLaterAt: due !== undefined && due !== null && due > record.now.getTime() + elapsed ? new Date(due) : null,
      operational: operational[i]!,
    };
  });
  // Endpoints left with nothing due now: the store looks at them again after the commit (recheckStatement).
  const latest = now + elapsed;
  const settled = [...nextDue].filter(([, due]) => due === null || due > latest).map(([id]) => id);
  return { outcomes, due, settled, ridden, clock: latest };
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

/**
 * The operational events one attempt causes, after its effect on the endpoint's health: the
 * failing streak reaching `failingAfter` (once: the flag stays up until a success), the first
 * success after it, a disable, a delivery's last attempt. A test send causes none.
 */
function operationalEvents(state: EndpointState, row: LockedRow, record: AttemptRecord, index: number, failingAfter: number): OperationalEvent[] {
  if (record.endpointHealth === 'ignore') return [];
  const endpoint = { tenantId: row.tenant_id, endpointId: row.id, url: row.url };
  const { statusCode: lastStatusCode, error: lastError } = record.attempt;
  const events: OperationalEvent[] = [];
  if (record.endpointHealth === 'success' && state.failing) {
    state.failing = false;
    events.push({ type: 'endpoint.recovered', data: endpoint });
  } else if (record.endpointHealth !== 'success' && !state.failing && state.failures >= failingAfter) {
    state.failing = true;
    events.push({ type: 'endpoint.failing', data: { ...endpoint, consecutiveFailures: state.failures, lastStatusCode, lastError } });
  }
  if (state.disabledBy === index) events.push({ type: 'endpoint.disabled', data: { ...endpoint, reason: state.reason, by: 'system' } });
  if (record.verdict.kind === 'dead') {
    const { event_id: eventId, event_type: eventType } = row;
    events.push({ type: 'delivery.exhausted', data: { tenantId: row.tenant_id, endpointId: row.id, deliveryId: record.deliveryId, eventId, eventType, attempts: record.attempt.number, lastStatusCode, lastError } });
  }
  return events;
}
