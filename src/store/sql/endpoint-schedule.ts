import { sql, type Kysely } from 'kysely';
import { fixedStatement, isOneOf, runTogether, type StatementCall, type StatementOutcome } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import type { DueWork } from './publish.js';
import type { Database } from './schema.js';
import type { StoreDialect, TransactionOptions, WakeNotice } from './store-dialect.js';
import { LEASED, WAITING } from './statuses.js';

/**
 * `endpoints.next_due_at` says when an endpoint next has work. The claim walks endpoints in
 * that order, so these helpers are the only writers of the column besides the claim.
 */

/**
 * When the endpoint of the row being updated (`endpoints`) next has work, as every writer of
 * next_due_at computes it. Unordered: its earliest waiting delivery. FIFO: the head of its line
 * (the lowest event sequence; test sends have none and stand outside it), and while any attempt
 * to it is in flight, when that attempt's lease ends (its record reschedules it sooner). Each
 * is one index probe or two (deliveries_due; deliveries_line and deliveries_leased), and CASE
 * runs only the branch that applies, so unordered endpoints pay a column compare.
 */
export const NEXT_DUE = `(case when endpoints.ordering = 'fifo'
  then (select coalesce((select min(flight.lease_expires_at) from deliveries flight where flight.endpoint_id = head.endpoint_id and flight.${LEASED}), head.next_attempt_at)
        from deliveries head where head.endpoint_id = endpoints.id and head.${WAITING} and head.event_seq is not null order by head.event_seq limit 1)
  else (select min(waiting.next_attempt_at) from deliveries waiting where waiting.endpoint_id = endpoints.id and waiting.${WAITING}) end)`;

/**
 * New work is due at `at` for these endpoints: move their next_due_at earlier where needed.
 * Answers whether it did: only then do the workers need waking (an endpoint already due has a
 * claim coming; a held one, migration 0010, an attempt ending). New deliveries join a FIFO line
 * at its tail: they make it due only when it was empty.
 *
 * SQLite runs it inside the transaction that made the work: one writer, nothing interleaves.
 * PostgreSQL runs it after that transaction committed (publishingTransaction, and the
 * one-statement publish), writing (so locking) only the rows it lowers, so publishes to a busy endpoint
 * never queue on its row. What keeps work from being left unscheduled is an order of writes
 * and reads on both sides: the publisher commits its deliveries, then reads the schedule here;
 * a worker that leaves an endpoint with nothing due (claim, record) commits that, then reads
 * the deliveries again (recheckStatement). Whichever reads second sees the other's write.
 * (Before, the mark ran inside the publish and skipped endpoints already due; a claim of such
 * an endpoint that had read its deliveries before the publish committed left the new one
 * unscheduled: a store test shows it.)
 */
function markDueStatements(kind: SqlDialect, notice: WakeNotice | undefined) {
  const mark = markDueCall(kind, notice);
  return async (db: Kysely<Database>, endpointIds: string[], at: number): Promise<boolean> => {
    // SQLite: its one statement, in the caller's transaction; any failure is thrown.
    const call = mark({ endpointIds, at });
    return (await runTogether(db, call.calls))[call.updateAt]!.length > 0;
  };
}

/** A schedule mark's statements, and which of them is the update whose rows are the endpoints it lowered. */
export interface MarkCall {
  calls: StatementCall[];
  updateAt: number;
}

/** Whether a mark lowered any endpoint, from its statements' outcomes; undefined when any of them failed. */
export const markLowered = ({ updateAt }: MarkCall, outcomes: StatementOutcome[]): boolean | undefined => {
  if (outcomes.some((outcome) => 'error' in outcome)) return undefined;
  return (outcomes[updateAt] as { rows: unknown[] }).rows.length > 0;
};

/**
 * The mark itself. On SQLite a plain update, in the transaction that made the work. On
 * PostgreSQL a transaction of its own, sent in one write (runTogether: its BEGIN, the lock,
 * the update, its COMMIT): it first locks the endpoints it will lower in id order, as the
 * record does, then updates them. A plain update locks them in the order it meets them, and a
 * mark of several endpoints (a group of many tenants' publishes: the bench's growth scenario)
 * deadlocked against records, each costing PostgreSQL's deadlock_timeout (1 s) before one of
 * them was run again. The lock is a statement of its own: as a subquery of the update, it
 * deadlocked three concurrent marks on ONE row (the subquery's tuple lock against the update's
 * wait on the row's newer version). A row that stopped needing the mark while the lock waited
 * is left alone (the lock's WHERE is checked again on the newest version).
 *
 * With the store's wake-up notice (PostgreSQL), a mark that lowers any endpoint also wakes the
 * workers (wakingOthers).
 */
export function markDueCall(kind: SqlDialect, notice: WakeNotice | undefined): (due: DueWork) => MarkCall {
  const lowers = `held = 0 and (next_due_at is null or (next_due_at > ? and ordering <> 'fifo'))`;
  const update = `update endpoints set next_due_at = ? where ${isOneOf(kind, 'id')} and ${lowers} returning id`;
  const mark = fixedStatement<{ id: string }>(kind, notice ? wakingOthers(update) : update);
  const updateCall = (due: DueWork): StatementCall => [mark, [due.at, JSON.stringify(due.endpointIds), due.at, ...wakeParameters(notice)]];
  if (kind === 'sqlite') return (due) => ({ calls: [updateCall(due)], updateAt: 0 });
  const begin = fixedStatement(kind, 'begin');
  const lock = fixedStatement<{ id: string }>(kind, `select id from endpoints where ${isOneOf(kind, 'id')} and ${lowers} order by id for no key update`);
  const commit = fixedStatement(kind, 'commit');
  return (due) => ({ calls: [[begin, []], [lock, [JSON.stringify(due.endpointIds), due.at]], updateCall(due), [commit, []]], updateAt: 2 });
}

/**
 * PostgreSQL: an update that makes endpoints due (`returning id`), sending the workers' wake-up
 * NOTIFY itself when it changed any (StoreDialect.wakeNotice; its channel and payload are the
 * two parameters after the update's). The notice leaves at the statement's commit: a wake-up
 * used to be a statement of its own once the update had answered, one more round trip between
 * a publish and the worker that sends it (and before the publish's answer). It is a scalar
 * subquery of the answer's rows, so it runs once, and only when there is a row.
 */
function wakingOthers(update: string): string {
  return `with lowered as (${update}), woken as materialized (select pg_notify(?, ?) from (select 1 from lowered limit 1) as one)
    select id, (select count(*) from woken) as woken from lowered`;
}

/** The parameters wakingOthers adds after the update's: none without a notice. */
const wakeParameters = (notice: WakeNotice | undefined): string[] => (notice ? [notice.channel, notice.payload] : []);

/**
 * The worker's side of the order above (PostgreSQL): after committing a schedule with nothing
 * due now for these endpoints, look at their deliveries again and make due what a publish
 * committed meanwhile, waking the workers when it finds any (wakingOthers). Answers whether it found any.
 */
export function recheckStatement(kind: SqlDialect, notice: WakeNotice | undefined) {
  const update = `update endpoints set next_due_at = ${NEXT_DUE}
     where ${isOneOf(kind, 'id')} and status = 'active' and held = 0 and ${NEXT_DUE} < coalesce(next_due_at, ${Number.MAX_SAFE_INTEGER})
     returning id`;
  const recheck = fixedStatement<{ id: string }>(kind, notice ? wakingOthers(update) : update);
  return async (db: Kysely<Database>, endpointIds: string[]): Promise<boolean> =>
    endpointIds.length > 0 && (await recheck.run(db, [JSON.stringify(endpointIds), ...wakeParameters(notice)])).length > 0;
}

/**
 * Runs `work` (which may make deliveries: a publish, an attempt's record with the operational
 * events it causes, an endpoint's status change) in a transaction, marks the endpoints that got
 * work as due (inside it on SQLite, after its commit on PostgreSQL: see markDueStatements), and
 * wakes the workers when that made any due.
 */
export function publishingTransaction(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect) {
  const marker = dueMarker(db, kind, dialect);
  return async <T>(work: (trx: Kysely<Database>) => Promise<{ value: T; due: Array<DueWork | null> }>, options?: TransactionOptions): Promise<T> => {
    const done = await dialect.transaction(async (trx) => {
      const result = await work(trx);
      return { ...result, lowered: kind === 'sqlite' && (await marker.mark(trx, result.due)) };
    }, options);
    if (kind === 'sqlite') {
      if (done.lowered) dialect.wakeHere();
    } else await marker.markAfterCommit(done.due);
    return done.value;
  };
}

/**
 * The schedule mark of work just made (markDueStatements): `mark` inside a transaction, answering
 * whether it lowered any; `markAfterCommit` on its own once the work is committed (PostgreSQL),
 * waking the workers when it lowered any. After the commit a failed mark must not fail the
 * caller, whose work is stored: the safety sweep schedules what it left (30 s).
 */
export function dueMarker(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect) {
  const markDue = markDueStatements(kind, dialect.wakeNotice);
  const mark = async (on: Kysely<Database>, due: Array<DueWork | null>): Promise<boolean> => {
    let lowered = false;
    for (const d of due) if (d && (await markDue(on, d.endpointIds, d.at))) lowered = true;
    return lowered;
  };
  const markAfterCommit = async (due: Array<DueWork | null>): Promise<void> => {
    if (await dialect.retry(() => mark(db, due)).catch(() => false)) dialect.wakeHere();
  };
  return { mark, markAfterCommit };
}

/** Recomputes next_due_at from the endpoints' waiting deliveries (NEXT_DUE); answers them. */
export async function rescheduleEndpoints(db: Kysely<Database>, endpointIds: string[]): Promise<Array<number | null>> {
  if (endpointIds.length === 0) return [];
  const rows = await db
    .updateTable('endpoints')
    .set({ next_due_at: sql<number | null>`${sql.raw(NEXT_DUE)}`, held: 0 })
    .where('id', 'in', [...new Set(endpointIds)])
    .returning('next_due_at')
    .execute();
  return rows.map((row) => (row.next_due_at === null ? null : Number(row.next_due_at)));
}
