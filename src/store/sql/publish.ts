import type { Kysely, Selectable } from 'kysely';
import type { Delivery } from '../../domain/delivery.js';
import { HeraldError } from '../../errors.js';
import type { PublishInput, PublishOutcome, PublishResult } from '../store.js';
import { fixedStatement, isOneOf, jsonRows, runEachTogether, type JsonColumnType, type StatementCall, type StatementOutcome } from './fixed-statement.js';
import { markLowered, type MarkCall } from './endpoint-schedule.js';
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
 * A publish's rows carry their tenant (and a delivery its attempts), so one set of statements
 * writes a group of any tenants' publishes (publish-groups.ts). A fan-out part (fan-out.ts)
 * keeps a publish's delivery rows as they are, and reads their first DELIVERY_COLUMNS.
 */
const TENANT_EVENT_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [['tenant_id', 'text'], ...EVENT_COLUMNS];
const TENANT_DELIVERY_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [...DELIVERY_COLUMNS, ['tenant_id', 'text'], ['max_attempts', 'integer']];
/** A tenant's quota in a group (a group holds at most one per tenant), with the events it counts. */
const QUOTA_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [
  ['tenant_id', 'text'],
  ['period_start', 'bigint'],
  ['quota_limit', 'bigint'],
  ['used', 'bigint'],
];
const KEY_COLUMNS: ReadonlyArray<readonly [string, JsonColumnType]> = [
  ['tenant_id', 'text'],
  ['idempotency_key', 'text'],
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
 * A publish is a fixed number of set-based statements whatever its size, its fan-out and the
 * number of tenants in its group: one read of the idempotency keys already taken, one multi-row
 * insert of events, one quota upsert, one multi-row insert of deliveries. Nothing here reads or
 * writes an endpoint row (the caller matched already; the schedule is the caller's next step),
 * so publishes never queue behind claims or one another.
 */
export function publishStatements(kind: SqlDialect) {
  // Each (tenant, key) probes the events' unique index; on PostgreSQL as a LATERAL with a LIMIT,
  // which the planner cannot turn into a hash of the whole table (rowByKey says why).
  const keys = jsonRows(kind, KEY_COLUMNS);
  const eventsByKey = fixedStatement<EventRow>(
    kind,
    kind === 'sqlite'
      ? `select events.* from ${keys} as k join events on events.tenant_id = k.tenant_id and events.idempotency_key = k.idempotency_key`
      : `select ev.* from ${keys} as k cross join lateral (select * from events
           where events.tenant_id = k.tenant_id and events.idempotency_key = k.idempotency_key limit 1) as ev`,
  );
  // Rows go in item order (`order by ord`), so the sequence numbers follow the request order.
  // A key another publish took meanwhile (PostgreSQL, another process) inserts nothing here:
  // the insert waits for that publish to commit, and the event is read back by key instead.
  const insertEvents = fixedStatement<EventRow>(
    kind,
    `insert into events (id, tenant_id, type, data, idempotency_key, is_test, created_at, trace_context)
     select id, tenant_id, type, data, idempotency_key, ?, created_at, trace_context from ${jsonRows(kind, TENANT_EVENT_COLUMNS)} as e where true order by ord
     on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
     returning *`,
  );
  const insertDeliveries = deliveryInsert(kind, endpointStillExists(kind));
  // Adds each tenant's created events to its period's count unless that passes its limit (the
  // quota rows are the statement's parameter twice); a tenant without a row back, or with one
  // already past it (a first count), has its quota used up.
  const quotas = jsonRows(kind, QUOTA_COLUMNS);
  const countQuotas = fixedStatement<{ tenant_id: string; used: number | string }>(
    kind,
    `insert into quota_usage (tenant_id, period_start, used)
     select tenant_id, period_start, used from ${quotas} as q where true
     on conflict (tenant_id, period_start) do update set used = quota_usage.used + excluded.used
     where quota_usage.used + excluded.used <= (select l.quota_limit from ${quotas} as l where l.tenant_id = excluded.tenant_id)
     returning tenant_id, used`,
  );
  return { eventsByKey, insertEvents, insertDeliveries, countQuotas };
}

export type PublishStatements = ReturnType<typeof publishStatements>;

/** Inserts delivery rows (deliveryRow, as JSON) where `condition` holds; parameters: is_test, the rows. */
export function deliveryInsert(kind: SqlDialect, condition: string) {
  return fixedStatement(
    kind,
    `insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts,
       run_start, next_attempt_at, lease_expires_at, last_attempt_at, is_test, created_at, event_seq)
     select id, tenant_id, event_id, endpoint_id, event_type, 'pending', 0, max_attempts, 0, next_attempt_at, null, null, ?, created_at, event_seq
     from ${jsonRows(kind, TENANT_DELIVERY_COLUMNS)} as d
     where ${condition}`,
  );
}

/**
 * A part's delivery rows as deliveryInsert reads them: parts written before rows carried their
 * tenant and attempts lack them. Rows that have them come back as the same array.
 */
export function withTenantColumns(rows: unknown[][], tenantId: string, maxAttempts: number): unknown[][] {
  if (rows.every((row) => row.length >= TENANT_DELIVERY_COLUMNS.length)) return rows;
  return rows.map((row) => (row.length >= TENANT_DELIVERY_COLUMNS.length ? row : [...row.slice(0, DELIVERY_COLUMNS.length), tenantId, maxAttempts]));
}

/** What a publish's transaction does with its delivery rows instead of inserting them (SQLite: fan-out.ts). */
export interface DeliveryWriter {
  /** Whether `count` rows of this publish (a group's, all together) are written as pending parts rather than inserted. */
  defers(count: number, isTest: boolean): boolean;
  writeParts(trx: Kysely<Database>, rows: unknown[][]): Promise<void>;
}

/**
 * Publishes a group (publish-groups.ts: any tenants, all with the same isTest) in the caller's
 * transaction, and answers each member's result.
 */
export async function publishInTransaction(
  trx: Kysely<Database>,
  q: PublishStatements,
  members: PublishInput[],
  writer: DeliveryWriter | null = null,
): Promise<{ results: PublishResult[]; due: DueWork | null }> {
  const isTest = Boolean(members[0]!.isTest);
  const keyed: KeyedEvents = new Map();
  const readKeys = async (pairs: Array<[string, string]>) => {
    if (pairs.length > 0) addKeyed(keyed, await q.eventsByKey.run(trx, [JSON.stringify(pairs)]));
  };
  // Each tenant's keys once: the items fresh when no key is taken yet.
  await readKeys(keyPairs(members, freshItemsByTenant(members, new Map())));

  const fresh = freshItemsByTenant(members, keyed);
  const eventRows = eventRowsOf(members, fresh);
  const inserted = new Map<string, EventRow>();
  if (eventRows.length > 0) for (const row of await q.insertEvents.run(trx, [isTest ? 1 : 0, JSON.stringify(eventRows)])) inserted.set(row.id, row);
  await readKeys(lostKeys(members, fresh, inserted, keyed));
  addKeyed(keyed, inserted.values());

  const quotaUsed = await countAgainstQuotas(trx, q, members, inserted);
  const made = members.map((input) => outcomesOf(input, inserted, keyedOf(keyed, input.tenantId)));
  const results = memberResults(
    members,
    made.map(({ outcomes }) => outcomes),
    (tenantId) => quotaUsed.get(tenantId) ?? null,
  );
  const deliveryRows = made.flatMap((member) => member.deliveryRows);
  if (deliveryRows.length === 0) return { results, due: null };
  // The group's deliveries together, as one publish's: 32 publishes of 50 deliveries each are
  // parts, as one of 1,600 is (fan-out.ts).
  if (writer?.defers(deliveryRows.length, isTest)) {
    await writer.writeParts(trx, deliveryRows);
    return { results, due: null };
  }
  await q.insertDeliveries.run(trx, [isTest ? 1 : 0, JSON.stringify(deliveryRows)]);
  return { results, due: dueWorkOf(deliveryRows, { isTest }) };
}

/** The endpoints a publish's deliveries make due, and from when; none for test sends (they go at once). */
export function dueWorkOf(deliveryRows: unknown[][], input: { isTest?: boolean }): DueWork | null {
  if (deliveryRows.length === 0 || input.isTest) return null;
  return { endpointIds: unique(deliveryRows.map((row) => row[2] as string)).sort(), at: deliveryRows.reduce((min, row) => Math.min(min, row[4] as number), Infinity) };
}

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
  statements: { publish: PublishStatementPostgres; keys: PublishStatements['eventsByKey']; markDue: (due: DueWork) => MarkCall },
  members: PublishInput[],
): Promise<{ results: PublishResult[]; due: DueWork | null; lowered: boolean }> {
  const isTest = Boolean(members[0]!.isTest);
  const fresh = freshItemsByTenant(members, new Map());
  const eventRows = eventRowsOf(members, fresh);
  const scheduled = members.flatMap((input, m) =>
    fresh[m]!.flatMap(({ event, deliveries }) => deliveries.map((delivery) => deliveryRow(input, event, delivery.id, delivery.endpointId, null))),
  );
  const quotas = new Map(members.flatMap((input) => (input.quota ? [[input.tenantId, [input.tenantId, input.quota.periodStart.getTime(), input.quota.limit]] as const] : [])));
  const publish: StatementCall = [statements.publish, [isTest ? 1 : 0, JSON.stringify(eventRows), JSON.stringify([...quotas.values()]), JSON.stringify(scheduled)]];
  // Marked from what was sent: an event whose key another publish took meanwhile marks its
  // endpoints for nothing, which a claim finds empty; nothing is ever left unmarked.
  const toMark = dueWorkOf(scheduled, { isTest });
  const mark = toMark ? statements.markDue(toMark) : null;
  const [published, ...marked] = (await runEachTogether(db, [publish, ...(mark?.calls ?? [])])) as [StatementOutcome, ...StatementOutcome[]];
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
  const keyed: KeyedEvents = new Map();
  addKeyed(keyed, inserted.values());
  const lost = lostKeys(members, fresh, inserted, keyed);
  if (lost.length > 0) addKeyed(keyed, await statements.keys.run(db, [JSON.stringify(lost)]));
  const outcomes = members.map((input) => outcomesOf(input, inserted, keyedOf(keyed, input.tenantId)).outcomes);
  const results = memberResults(members, outcomes, (tenantId) => quotaUsed.get(tenantId) ?? null);
  if (!mark) return { results, due: null, lowered: false };
  const lowered = markLowered(mark, marked);
  return { results, due: lowered === undefined ? toMark : null, lowered: lowered === true };
}

/** Per tenant, the events that idempotency keys name, by key. */
type KeyedEvents = Map<string, Map<string, EventRow>>;

const keyedOf = (keyed: KeyedEvents, tenantId: string) => entryOf(keyed, tenantId, () => new Map<string, EventRow>());

function addKeyed(keyed: KeyedEvents, rows: Iterable<EventRow>): void {
  for (const row of rows) if (row.idempotency_key !== null) keyedOf(keyed, row.tenant_id).set(row.idempotency_key, row);
}

/** (tenant, key) of the members' items (items[m] are member m's) that name a key. */
const keyPairs = (members: PublishInput[], items: Item[][]): Array<[string, string]> =>
  members.flatMap(({ tenantId }, m) => items[m]!.flatMap(({ event }): Array<[string, string]> => (event.idempotencyKey === null ? [] : [[tenantId, event.idempotencyKey]])));

/** (tenant, key) of fresh items whose insert did nothing and whose event is not known yet: another publish took the key. */
const lostKeys = (members: PublishInput[], fresh: Item[][], inserted: Map<string, EventRow>, keyed: KeyedEvents): Array<[string, string]> =>
  members.flatMap(({ tenantId }, m) => keysNotInserted(fresh[m]!, inserted).filter((key) => !keyedOf(keyed, tenantId).has(key)).map((key): [string, string] => [tenantId, key]));

/** Each member's fresh items: a key taken before (`keyed`) or by an earlier member of the same tenant counts as taken. */
function freshItemsByTenant(members: PublishInput[], keyed: KeyedEvents): Item[][] {
  const claimed = new Map<string, Set<string>>();
  return members.map(({ tenantId, items }) => freshItems(items, keyedOf(keyed, tenantId), entryOf(claimed, tenantId, () => new Set<string>())));
}

/**
 * Each member's result from its outcomes and its tenant's quota count after the whole group:
 * the count as it stood after that member's events is the group's count less what later members
 * of the same tenant created, as publishing one by one, in order, would have answered.
 */
function memberResults(members: PublishInput[], outcomes: PublishOutcome[][], quotaUsedOf: (tenantId: string) => number | null): PublishResult[] {
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

/** The events' rows (TENANT_EVENT_COLUMNS) of each member's fresh items. */
const eventRowsOf = (members: PublishInput[], fresh: Item[][]): unknown[][] =>
  members.flatMap(({ tenantId }, m) =>
    fresh[m]!.map(({ event }) => [tenantId, event.id, event.type, JSON.stringify(event.data), event.idempotencyKey, event.createdAt.getTime(), event.traceContext ?? null]),
  );

/**
 * A delivery's row (TENANT_DELIVERY_COLUMNS). A test send has no schedule: the caller claims it
 * at once, the claim loop never sees it. `place` is the delivery's place in a FIFO endpoint's
 * line, its event's sequence number.
 */
const deliveryRow = (input: PublishInput, event: Item['event'], id: string, endpointId: string, place: number | null) => [
  id,
  event.id,
  endpointId,
  event.type,
  event.createdAt.getTime(),
  input.isTest ? null : event.createdAt.getTime(),
  place,
  input.tenantId,
  input.maxAttempts,
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
      deliveryRows.push(deliveryRow(input, event, id, endpointId, place));
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

/**
 * Counts each tenant's created events against its quota (a group holds at most one quota per
 * tenant: publish-groups.ts); throws, undoing the transaction, when any of them passes its limit.
 * Answers each counted tenant's count.
 */
async function countAgainstQuotas(trx: Kysely<Database>, q: PublishStatements, members: PublishInput[], inserted: Map<string, EventRow>): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  for (const row of inserted.values()) created.set(row.tenant_id, (created.get(row.tenant_id) ?? 0) + 1);
  const quotas = new Map(members.flatMap(({ tenantId, quota }) => (quota && created.has(tenantId) ? [[tenantId, quota] as const] : [])));
  if (quotas.size === 0) return new Map();
  const rows = JSON.stringify([...quotas].map(([tenantId, quota]) => [tenantId, quota.periodStart.getTime(), quota.limit, created.get(tenantId)]));
  const counted = new Map((await q.countQuotas.run(trx, [rows, rows])).map((row) => [row.tenant_id, Number(row.used)]));
  for (const [tenantId, quota] of quotas) {
    const used = counted.get(tenantId);
    if (used === undefined || used > quota.limit) throw quotaExceeded(quota.limit);
  }
  return counted;
}

const unique = <T>(values: T[]) => [...new Set(values)];

/** The map's value for `key`, made and kept first if it has none. */
function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}
