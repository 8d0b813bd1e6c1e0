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

/** PostgreSQL's rows carry their tenant (and a delivery its attempts): one statement holds a group of any tenants' publishes. */
const TENANT_EVENT_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [['tenant_id', 'text'], ...EVENT_COLUMNS];
const TENANT_DELIVERY_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [...DELIVERY_COLUMNS, ['max_attempts', 'integer']];
const QUOTA_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [
  ['tenant_id', 'text'],
  ['period_start', 'bigint'],
  ['quota_limit', 'bigint'],
];

/**
 * PostgreSQL publishes a group in ONE statement, sent in one round trip with no BEGIN or
 * COMMIT: the events, the quota counts and the deliveries are the parts of one data-modifying
 * query, all or nothing. Measured (npm run bench, pg-workers): a publish was eight round trips
 * (begin, two inserts, commit, the schedule mark in a second transaction, the NOTIFY, and two
 * catalog reads), and every round trip costs PostgreSQL and Herald a context switch each way on
 * a small machine. The group may hold publishes of many tenants (each row names its tenant, each
 * quota is counted and checked per tenant): under the bench's growth scenario, events spread
 * over 1,000 tenants went one statement and one WAL flush each while grouped by tenant, and ran
 * at a quarter of one tenant's rate. The endpoints' schedule mark follows once this has
 * committed (a second statement, which locks nothing on an endpoint that is already due or
 * busy: see markDueStatements). A quota past its limit fails the whole statement through
 * `herald_refuse` (migration 0009).
 */
export function publishStatementPostgres() {
  const events = jsonRows('postgres', TENANT_EVENT_COLUMNS);
  const quotas = jsonRows('postgres', QUOTA_COLUMNS);
  const deliveries = jsonRows('postgres', TENANT_DELIVERY_COLUMNS);
  // $1 is_test, $2 events, $3 quotas (tenants with one), $4 deliveries.
  return fixedStatement<EventRow & { quota_used: number | null; checked: number }>(
    'postgres',
    `with created as (
       insert into events (id, tenant_id, type, data, idempotency_key, is_test, created_at, trace_context)
       select id, tenant_id, type, data, idempotency_key, ?, created_at, trace_context from ${events} as e where true order by ord
       on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
       returning *),
     quotas as (select * from ${quotas} as q),
     counted as (
       insert into quota_usage (tenant_id, period_start, used)
       select c.tenant_id, q.period_start, count(*) from created as c join quotas as q on q.tenant_id = c.tenant_id group by c.tenant_id, q.period_start
       on conflict (tenant_id, period_start) do update set used = quota_usage.used + excluded.used
       where quota_usage.used + excluded.used <= (select q.quota_limit from quotas as q where q.tenant_id = excluded.tenant_id)
       returning tenant_id, used),
     made as (
       insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts,
         run_start, next_attempt_at, lease_expires_at, last_attempt_at, is_test, created_at, event_seq)
       select d.id, c.tenant_id, d.event_id, d.endpoint_id, d.event_type, 'pending', 0, d.max_attempts, 0, d.next_attempt_at, null, null, $1, d.created_at,
         case when d.next_attempt_at is null then null else c.seq end
       from ${deliveries} as d join created as c on c.id = d.event_id
       where ${endpointStillExists('postgres')}
       returning endpoint_id, next_attempt_at)
     select c.*, k.used as quota_used,
       case when exists (select 1 from quotas as q
                         where exists (select 1 from created as x where x.tenant_id = q.tenant_id)
                           and not exists (select 1 from counted as y where y.tenant_id = q.tenant_id and y.used <= q.quota_limit))
         then herald_refuse('quota_exceeded') else 1 end as checked
     from created as c left join counted as k on k.tenant_id = c.tenant_id`,
  );
}

export type PublishStatementPostgres = ReturnType<typeof publishStatementPostgres>;

/**
 * What a one-statement publish of a group (publish-groups.ts, all with the same isTest) tells
 * its caller: each member's result, and `due`, the endpoints still to mark due now that it has
 * committed. The mark goes out right behind the publish, in the same socket write, and runs as
 * a transaction of its own once the publish has committed (as markDueStatements requires): a
 * round trip of `serve`'s per group saved (a third of them, with the catch-up before it); a mark
 * that lowers wakes the workers itself. Only when that mark failed (a deadlock with a record,
 * say) is `due` left for the caller to mark again; `lowered` says whether the mark made any
 * endpoint due sooner.
 */
export async function publishInOneStatement(
  db: Kysely<Database>,
  statements: { publish: PublishStatementPostgres; keys: PublishStatements['eventsByKey']; markDue: (due: DueWork) => StatementCall<{ id: string }> },
  members: PublishInput[],
): Promise<{ results: PublishResult[]; due: DueWork | null; lowered: boolean }> {
  const isTest = members[0]!.isTest;
  const fresh = freshItemsByTenant(members);
  const eventRows = members.flatMap((input, m) => fresh[m]!.map((item) => [input.tenantId, ...eventRow(item)]));
  const scheduled = members.flatMap((input, m) =>
    fresh[m]!.flatMap(({ event, deliveries }) => deliveries.map((delivery) => [...deliveryRow(event, delivery.id, delivery.endpointId, isTest, null), input.maxAttempts])),
  );
  const quotas = new Map(members.flatMap((input) => (input.quota ? [[input.tenantId, [input.tenantId, input.quota.periodStart.getTime(), input.quota.limit]] as const] : [])));
  const publish: StatementCall = [statements.publish, [isTest ? 1 : 0, JSON.stringify(eventRows), JSON.stringify([...quotas.values()]), JSON.stringify(scheduled)]];
  // Marked from what was sent: an event whose key another publish took meanwhile marks its
  // endpoints for nothing, which a claim finds empty; nothing is ever left unmarked.
  const toMark = dueWorkOf(scheduled, { isTest });
  const [published, marked] = (await runEachTogether(db, toMark ? [publish, statements.markDue(toMark)] : [publish])) as [StatementOutcome, StatementOutcome?];
  if ('error' in published) {
    const { error } = published;
    const limited = members.find((input) => input.quota);
    if ((error as { code?: unknown }).code === QUOTA_REFUSED && limited) throw quotaExceeded(limited.quota!.limit);
    throw error;
  }
  const inserted = new Map<string, EventRow>();
  const quotaUsed = new Map<string, number | null>();
  for (const row of published.rows as Array<EventRow & { quota_used: number | null }>) {
    inserted.set(row.id, row);
    quotaUsed.set(row.tenant_id, row.quota_used === null ? null : Number(row.quota_used));
  }
  const byKey = await keyedEvents(db, statements.keys, members, fresh, inserted);
  const outcomes = members.map((input) => outcomesOf(input, inserted, byKey.get(input.tenantId) ?? new Map()).outcomes);
  const results = memberResults(members, outcomes, (tenantId) => quotaUsed.get(tenantId) ?? null);
  if (!marked) return { results, due: null, lowered: false };
  if ('error' in marked) return { results, due: toMark, lowered: false };
  return { results, due: null, lowered: marked.rows.length > 0 };
}

/**
 * Per tenant, the events the group's idempotency keys name: those it created, and those another
 * publish had taken (read back, one statement per tenant that lost a key: rare).
 */
async function keyedEvents(
  db: Kysely<Database>,
  keys: PublishStatements['eventsByKey'],
  members: PublishInput[],
  fresh: Item[][],
  inserted: Map<string, EventRow>,
): Promise<Map<string, Map<string, EventRow>>> {
  const byTenant = new Map<string, Map<string, EventRow>>();
  const keyedOf = (tenantId: string) => entryOf(byTenant, tenantId, () => new Map<string, EventRow>());
  for (const row of inserted.values()) if (row.idempotency_key !== null) keyedOf(row.tenant_id).set(row.idempotency_key, row);
  const taken = new Map<string, string[]>();
  members.forEach((input, m) => {
    const lost = keysNotInserted(fresh[m]!, inserted).filter((key) => !keyedOf(input.tenantId).has(key));
    if (lost.length > 0) taken.set(input.tenantId, [...(taken.get(input.tenantId) ?? []), ...lost]);
  });
  for (const [tenantId, lost] of taken) for (const row of await keys.run(db, [tenantId, JSON.stringify(lost)])) keyedOf(tenantId).set(row.idempotency_key!, row);
  return byTenant;
}

/** Each member's fresh items: an idempotency key an earlier member of the same tenant took counts as taken. */
function freshItemsByTenant(members: PublishInput[]): Item[][] {
  const claimed = new Map<string, Set<string>>();
  return members.map(({ tenantId, items }) => freshItems(items, new Map(), entryOf(claimed, tenantId, () => new Set<string>())));
}

/**
 * Each member's result from its outcomes and its tenant's quota count after the whole group:
 * the count as it stood after that member's events is the group's count less what later members
 * of the same tenant created, as publishing one by one, in order, would have answered.
 */
export function memberResults(members: PublishInput[], outcomes: PublishOutcome[][], quotaUsedOf: (tenantId: string) => number | null): PublishResult[] {
  const createdLater = new Map<string, number>();
  const results: PublishResult[] = [];
  for (let i = members.length - 1; i >= 0; i--) {
    const { tenantId, quota } = members[i]!;
    const created = outcomes[i]!.filter((outcome) => outcome.created).length;
    const used = quotaUsedOf(tenantId);
    const later = createdLater.get(tenantId) ?? 0;
    results[i] = { outcomes: outcomes[i]!, quotaUsed: quota !== undefined && created > 0 && used !== null ? used - later : null };
    createdLater.set(tenantId, later + created);
  }
  return results;
}

/** The SQLSTATE `herald_refuse` raises (migration 0009). */
const QUOTA_REFUSED = 'HQ001';

type Item = PublishInput['items'][number];

/** An item is created unless its key was taken before (`byKey`), or by an earlier item of this batch (`claimedKeys`). */
function freshItems(items: Item[], byKey: Map<string, EventRow>, claimedKeys = new Set<string>()): Item[] {
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

/** The map's value for `key`, made and kept first if it has none. */
function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}
