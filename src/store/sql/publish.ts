import type { Kysely, Selectable } from 'kysely';
import type { Delivery } from '../../domain/delivery.js';
import { HeraldError } from '../../errors.js';
import type { PublishInput, PublishOutcome, PublishResult } from '../store.js';
import { fixedStatement, isOneOf, jsonRows, runEachTogether, type JsonColumnType, type StatementCall, type StatementOutcome } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';

type EventRow = Selectable<Database['events']>;

/** What a committed publish leaves for the endpoint schedule: these endpoints have work due at `at`. */
export interface DueWork {
  endpointIds: string[];
  at: number;
}

/** The columns of a publish's JSON rows: an event per item, and a delivery per match (eventRow, deliveryRow). */
const EVENT_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [
  ['id', 'text'],
  ['type', 'text'],
  ['data', 'text'],
  ['idempotency_key', 'text'],
  ['created_at', 'bigint'],
  ['trace_context', 'text'],
];
const DELIVERY_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [
  ['id', 'text'],
  ['event_id', 'text'],
  ['endpoint_id', 'text'],
  ['event_type', 'text'],
  ['created_at', 'bigint'],
  ['next_attempt_at', 'bigint'],
  ['event_seq', 'bigint'],
];

/**
 * Matching used the API's cached endpoint list: one deleted a moment ago gets no delivery. On
 * PostgreSQL the OFFSET keeps this a probe of the endpoint's key per delivery: the planner made
 * the bare EXISTS (and one with LIMIT 1, which it drops) a join that hashed every endpoint of the
 * table (isOneOf in fixed-statement.ts).
 */
const endpointStillExists = (kind: SqlDialect) =>
  `exists (select 1 from endpoints where endpoints.id = d.endpoint_id${kind === 'postgres' ? ' offset 0' : ''})`;

/**
 * A publish is a fixed number of set-based statements whatever its size and fan-out: one read
 * of the idempotency keys already taken, one multi-row insert of events, one quota upsert, one
 * multi-row insert of deliveries. Nothing here reads or writes an endpoint row (the caller
 * matched already; the schedule is the caller's next step), so publishes never queue behind
 * claims or one another.
 */
export function publishStatements(kind: SqlDialect) {
  const eventsByKey = fixedStatement<EventRow>(
    kind,
    `select * from events where tenant_id = ? and ${isOneOf(kind, 'idempotency_key')} and idempotency_key is not null`,
  );
  // Rows go in item order (`order by ord`), so the sequence numbers follow the request order.
  // A key another publish took meanwhile (PostgreSQL, another process) inserts nothing here:
  // the insert waits for that publish to commit, and the event is read back by key instead.
  const events = jsonRows(kind, EVENT_COLUMNS);
  const insertEvents = fixedStatement<EventRow>(
    kind,
    `insert into events (id, tenant_id, type, data, idempotency_key, is_test, created_at, trace_context)
     select id, ?, type, data, idempotency_key, ?, created_at, trace_context from ${events} as e where true order by ord
     on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
     returning *`,
  );
  const insertDeliveries = deliveryInsert(kind, endpointStillExists(kind));
  // Adds the batch's created events to the period's count unless that passes the limit; no row
  // back (or a first row already past it) means the quota is used up.
  const countQuota = fixedStatement<{ used: number }>(
    kind,
    `insert into quota_usage (tenant_id, period_start, used) values (?, ?, ?)
     on conflict (tenant_id, period_start) do update set used = quota_usage.used + excluded.used
     where quota_usage.used + excluded.used <= ?
     returning used`,
  );
  return { eventsByKey, insertEvents, insertDeliveries, countQuota };
}

export type PublishStatements = ReturnType<typeof publishStatements>;

/**
 * Inserts delivery rows (deliveryRow, as JSON) where `condition` holds; parameters: tenant, max
 * attempts, is_test, the rows.
 */
export function deliveryInsert(kind: SqlDialect, condition: string) {
  return fixedStatement(
    kind,
    `insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts,
       run_start, next_attempt_at, lease_expires_at, last_attempt_at, is_test, created_at, event_seq)
     select id, ?, event_id, endpoint_id, event_type, 'pending', 0, ?, 0, next_attempt_at, null, null, ?, created_at, event_seq
     from ${jsonRows(kind, DELIVERY_COLUMNS)} as d
     where ${condition}`,
  );
}

/** What a publish's transaction does with its delivery rows instead of inserting them (SQLite: fan-out.ts). */
export interface DeliveryWriter {
  /** Whether `count` rows of this publish are written as pending parts rather than inserted. */
  defers(count: number, isTest: boolean): boolean;
  writeParts(trx: Kysely<Database>, input: PublishInput, rows: unknown[][]): Promise<void>;
}

export async function publishInTransaction(
  trx: Kysely<Database>,
  q: PublishStatements,
  input: PublishInput,
  writer: DeliveryWriter | null = null,
): Promise<{ result: PublishResult; due: DueWork | null }> {
  const { tenantId, items } = input;
  const isTest = input.isTest ? 1 : 0;
  const byKey = new Map<string, EventRow>();
  const readKeys = async (keys: string[]) => {
    if (keys.length === 0) return;
    for (const row of await q.eventsByKey.run(trx, [tenantId, JSON.stringify(keys)])) byKey.set(row.idempotency_key!, row);
  };
  await readKeys(unique(items.flatMap((item) => (item.event.idempotencyKey === null ? [] : [item.event.idempotencyKey]))));

  const fresh = freshItems(items, byKey);
  const inserted = new Map<string, EventRow>();
  if (fresh.length > 0) {
    for (const row of await q.insertEvents.run(trx, [tenantId, isTest, JSON.stringify(fresh.map(eventRow))])) inserted.set(row.id, row);
  }
  await readKeys(keysNotInserted(fresh, inserted));
  for (const row of inserted.values()) if (row.idempotency_key !== null) byKey.set(row.idempotency_key, row);

  const quotaUsed = input.quota && inserted.size > 0 ? await countAgainstQuota(trx, q, tenantId, inserted.size, input.quota) : null;
  const { outcomes, deliveryRows } = outcomesOf(input, inserted, byKey);
  if (deliveryRows.length === 0) return { result: { outcomes, quotaUsed }, due: null };
  if (writer?.defers(deliveryRows.length, Boolean(input.isTest))) {
    await writer.writeParts(trx, input, deliveryRows);
    return { result: { outcomes, quotaUsed }, due: null };
  }
  await q.insertDeliveries.run(trx, [tenantId, input.maxAttempts, isTest, JSON.stringify(deliveryRows)]);
  return { result: { outcomes, quotaUsed }, due: dueWorkOf(deliveryRows, input) };
}

/** The endpoints a publish's deliveries make due, and from when; none for test sends (they go at once). */
export function dueWorkOf(deliveryRows: unknown[][], input: { isTest?: boolean }): DueWork | null {
  if (deliveryRows.length === 0 || input.isTest) return null;
  return { endpointIds: unique(deliveryRows.map((row) => row[2] as string)).sort(), at: deliveryRows.reduce((min, row) => Math.min(min, row[4] as number), Infinity) };
}

/**
 * PostgreSQL publishes in ONE statement, sent in one round trip with no BEGIN or COMMIT: the
 * events, the quota count and the deliveries are the parts of one data-modifying query, all or
 * nothing. Measured (npm run bench, pg-workers): a publish was eight round trips (begin, two
 * inserts, commit, the schedule mark in a second transaction, the NOTIFY, and two catalog
 * reads), and every round trip costs PostgreSQL and Herald a context switch each way on a
 * small machine. The endpoints' schedule mark follows once this has committed (a second round
 * trip, which locks nothing on an endpoint that is already due or busy: see markDueStatements).
 * A quota past its limit fails the whole statement through `herald_refuse` (migration 0009).
 */
export function publishStatementPostgres() {
  const events = jsonRows('postgres', EVENT_COLUMNS);
  const deliveries = jsonRows('postgres', DELIVERY_COLUMNS);
  // $1 tenant, $2 is_test, $3 events, $4 quota period start, $5 quota limit (null: none),
  // $6 max attempts, $7 deliveries.
  return fixedStatement<EventRow & { quota_used: number | null; checked: number }>(
    'postgres',
    `with created as (
       insert into events (id, tenant_id, type, data, idempotency_key, is_test, created_at, trace_context)
       select id, ?, type, data, idempotency_key, ?, created_at, trace_context from ${events} as e where true order by ord
       on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
       returning *),
     counted as (
       insert into quota_usage (tenant_id, period_start, used)
       select tenant_id, ?::bigint, count(*) from created group by tenant_id having ?::bigint is not null
       on conflict (tenant_id, period_start) do update set used = quota_usage.used + excluded.used
       where quota_usage.used + excluded.used <= $5::bigint
       returning used),
     made as (
       insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts,
         run_start, next_attempt_at, lease_expires_at, last_attempt_at, is_test, created_at, event_seq)
       select d.id, $1, d.event_id, d.endpoint_id, d.event_type, 'pending', 0, ?, 0, d.next_attempt_at, null, null, $2, d.created_at,
         case when d.next_attempt_at is null then null else c.seq end
       from ${deliveries} as d join created as c on c.id = d.event_id
       where ${endpointStillExists('postgres')}
       returning endpoint_id, next_attempt_at)
     select c.*, (select used from counted) as quota_used,
       case when $5::bigint is null or exists (select 1 from counted where used <= $5::bigint) then 1 else herald_refuse('quota_exceeded') end as checked
     from created as c`,
  );
}

export type PublishStatementPostgres = ReturnType<typeof publishStatementPostgres>;

/**
 * What a one-statement publish tells its caller: the result, and `due`, the endpoints still to
 * mark due now that it has committed. The mark goes out right behind the publish, in the same
 * socket write, and runs as a transaction of its own once the publish has committed (as
 * markDueStatements requires): a round trip of `serve`'s per group saved (a third of them, with
 * the catch-up before it); a mark that lowers wakes the workers itself. Only when that mark failed (a deadlock with a record, say) is `due`
 * left for the caller to mark again; `lowered` says whether the mark made any endpoint due sooner.
 */
export async function publishInOneStatement(
  db: Kysely<Database>,
  statements: { publish: PublishStatementPostgres; keys: PublishStatements['eventsByKey']; markDue: (due: DueWork) => StatementCall<{ id: string }> },
  input: PublishInput,
): Promise<{ result: PublishResult; due: DueWork | null; lowered: boolean }> {
  const { tenantId, items } = input;
  const fresh = freshItems(items, new Map());
  const scheduled = fresh.flatMap(({ event, deliveries }) => deliveries.map((delivery) => deliveryRow(event, delivery.id, delivery.endpointId, input.isTest, null)));
  const publish: StatementCall = [
    statements.publish,
    [tenantId, input.isTest ? 1 : 0, JSON.stringify(fresh.map(eventRow)), input.quota ? input.quota.periodStart.getTime() : 0, input.quota ? input.quota.limit : null, input.maxAttempts, JSON.stringify(scheduled)],
  ];
  // Marked from what was sent: an event whose key another publish took meanwhile marks its
  // endpoints for nothing, which a claim finds empty; nothing is ever left unmarked.
  const toMark = dueWorkOf(scheduled, input);
  const [published, marked] = (await runEachTogether(db, toMark ? [publish, statements.markDue(toMark)] : [publish])) as [StatementOutcome, StatementOutcome?];
  if ('error' in published) {
    const { error } = published;
    if ((error as { code?: unknown }).code === QUOTA_REFUSED && input.quota) throw quotaExceeded(input.quota.limit);
    throw error;
  }
  const inserted = new Map<string, EventRow>();
  let quotaUsed: number | null = null;
  for (const row of published.rows as Array<EventRow & { quota_used: number | null }>) {
    inserted.set(row.id, row);
    quotaUsed = row.quota_used === null ? null : Number(row.quota_used);
  }
  const byKey = new Map<string, EventRow>();
  for (const row of inserted.values()) if (row.idempotency_key !== null) byKey.set(row.idempotency_key, row);
  const taken = keysNotInserted(fresh, inserted).filter((key) => !byKey.has(key));
  if (taken.length > 0) for (const row of await statements.keys.run(db, [tenantId, JSON.stringify(taken)])) byKey.set(row.idempotency_key!, row);
  const { outcomes } = outcomesOf(input, inserted, byKey);
  const result = { outcomes, quotaUsed: input.quota && inserted.size > 0 ? quotaUsed : null };
  if (!marked) return { result, due: null, lowered: false };
  if ('error' in marked) return { result, due: toMark, lowered: false };
  return { result, due: null, lowered: marked.rows.length > 0 };
}

/** The SQLSTATE `herald_refuse` raises (migration 0009). */
const QUOTA_REFUSED = 'HQ001';

type Item = PublishInput['items'][number];

/** An item is created unless its key was taken before (`byKey`), or by an earlier item of this batch. */
function freshItems(items: Item[], byKey: Map<string, EventRow>): Item[] {
  const claimedKeys = new Set<string>();
  return items.filter(({ event: { idempotencyKey: key } }) => {
    if (key === null) return true;
    if (byKey.has(key) || claimedKeys.has(key)) return false;
    claimedKeys.add(key);
    return true;
  });
}

/** Keys of fresh items whose insert did nothing: another publish holds the key. */
const keysNotInserted = (fresh: Item[], inserted: Map<string, EventRow>): string[] =>
  fresh.flatMap(({ event }) => (event.idempotencyKey !== null && !inserted.has(event.id) ? [event.idempotencyKey] : []));

const eventRow = ({ event }: Item) => [event.id, event.type, JSON.stringify(event.data), event.idempotencyKey, event.createdAt.getTime(), event.traceContext ?? null];

/**
 * A test send has no schedule: the caller claims it at once, the claim loop never sees it.
 * `place` is the delivery's place in a FIFO endpoint's line, its event's sequence number.
 */
const deliveryRow = (event: Item['event'], id: string, endpointId: string, isTest: boolean | undefined, place: number | null) => [
  id,
  event.id,
  endpointId,
  event.type,
  event.createdAt.getTime(),
  isTest ? null : event.createdAt.getTime(),
  place,
];

/** Each item's outcome (created with its deliveries, or the earlier event its key names), and the delivery rows to insert. */
function outcomesOf(input: PublishInput, inserted: Map<string, EventRow>, byKey: Map<string, EventRow>): { outcomes: PublishOutcome[]; deliveryRows: unknown[][] } {
  const deliveryRows: unknown[][] = [];
  const outcomes = input.items.map(({ event, deliveries }): PublishOutcome => {
    const row = inserted.get(event.id);
    if (!row) return { event: toEvent(byKey.get(event.idempotencyKey!)!), created: false, deliveries: [] };
    // Nor has a test send a place in a FIFO endpoint's line (claim.ts): it goes whatever waits there.
    const nextAttemptAt = input.isTest ? null : event.createdAt;
    const place = input.isTest ? null : Number(row.seq);
    const made = deliveries.map(({ id, endpointId }): Delivery => {
      deliveryRows.push(deliveryRow(event, id, endpointId, input.isTest, place));
      return {
        id,
        tenantId: input.tenantId,
        eventId: event.id,
        eventType: event.type,
        endpointId,
        status: 'pending',
        attemptCount: 0,
        maxAttempts: input.maxAttempts,
        nextAttemptAt,
        lastAttemptAt: null,
        createdAt: event.createdAt,
        isTest: Boolean(input.isTest),
      };
    });
    return { event: toEvent(row), created: true, deliveries: made };
  });
  return { outcomes, deliveryRows };
}

const quotaExceeded = (limit: number) => new HeraldError('quota_exceeded', `The tenant's event quota of ${limit} is used up for this period`, [{ limit }]);

async function countAgainstQuota(
  trx: Kysely<Database>,
  q: PublishStatements,
  tenantId: string,
  created: number,
  quota: { limit: number; periodStart: Date },
): Promise<number> {
  const [counted] = await q.countQuota.run(trx, [tenantId, quota.periodStart.getTime(), created, quota.limit]);
  if (!counted || Number(counted.used) > quota.limit) {
    throw quotaExceeded(quota.limit);
  }
  return Number(counted.used);
}

const unique = <T>(values: T[]) => [...new Set(values)];
