import { sql, type Kysely } from 'kysely';
import { fixedStatement, jsonTexts } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import type { DueWork } from './publish.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/**
 * `endpoints.next_due_at` says when an endpoint next has work. The claim walks endpoints in
 * that order, so these helpers are the only writers of the column besides the claim.
 */

/** An endpoint's waiting deliveries, written literally so the partial indexes apply (statuses.ts). */
const WAITING = `status in ('pending', 'failed')`;

/**
 * When the endpoint of the row being updated (`endpoints`) next has work, as every writer of
 * next_due_at computes it. Unordered: its earliest waiting delivery. FIFO: the head of its line
 * (the lowest event sequence; test sends have none and stand outside it), and while any attempt
 * to it is in flight, when that attempt's lease ends (its record reschedules it sooner). Each
 * is one index probe or two (deliveries_due; deliveries_line and deliveries_leased), and CASE
 * runs only the branch that applies, so unordered endpoints pay a column compare.
 */
export const NEXT_DUE = `(case when endpoints.ordering = 'fifo'
  then (select coalesce((select min(flight.lease_expires_at) from deliveries flight where flight.endpoint_id = head.endpoint_id and flight.status = 'delivering'), head.next_attempt_at)
        from deliveries head where head.endpoint_id = endpoints.id and head.${WAITING} and head.event_seq is not null order by head.event_seq limit 1)
  else (select min(waiting.next_attempt_at) from deliveries waiting where waiting.endpoint_id = endpoints.id and waiting.${WAITING}) end)`;

/**
 * New work is due at `at` for these endpoints: move their next_due_at earlier where needed,
 * inside the transaction that made the work (see publishingTransaction). On PostgreSQL the rows
 * are locked in id order, as every endpoint lock is, and this comes last in the transaction, so
 * the lock is held for the commit's round trip only. (PostgreSQL's plain publish carries the
 * same mark in its one statement: publishStatementPostgres in publish.ts.) Answers whether the
 * workers need waking.
 */
export function markDueStatements(kind: SqlDialect) {
  const mark = fixedStatement<{ id: string; wakes: number | boolean }>(kind, markDueSql(kind, jsonTexts(kind), '?', '?', '?'));
  return async (db: Kysely<Database>, endpointIds: string[], at: number): Promise<boolean> => {
    const rows = await mark.run(db, [at, at, JSON.stringify(endpointIds), at]);
    return rows.some((row) => Boolean(Number(row.wakes)));
  };
}

/**
 * The mark itself, for the endpoints `targets` selects; `setAt`, `whereAt` and `wakeAt` name the
 * due time at each of its uses (as `?`, the parameters go in text order: whereAt, setAt, the
 * targets', wakeAt). It returns each endpoint with `wakes`: whether a
 * worker should claim it now. New deliveries join a FIFO line at its tail: they make it due
 * only when it was empty. A held endpoint (migration 0010) keeps its schedule and wakes no one:
 * an attempt ending reschedules it.
 *
 * On PostgreSQL every target row is locked, whatever its schedule. A claim or record holding
 * one makes the mark wait; the mark then re-reads the row as that transaction committed it, so
 * if that transaction rescheduled the endpoint from a snapshot without this work, the mark
 * lowers it again. A record or claim that locks the row after the mark waits for this commit,
 * and its later statements see the work. A claim that skips the row (locked) is followed by
 * this mark's wake-up. Marking only rows that needed lowering left a publish racing a claim of
 * an already due endpoint unscheduled (a process test showed it once claims got fast).
 */
export function markDueSql(kind: SqlDialect, targets: string, setAt: string, whereAt: string, wakeAt: string): string {
  const lowers = `held = 0 and (next_due_at is null or (next_due_at > ${whereAt} and ordering <> 'fifo'))`;
  const rows = kind === 'postgres' ? `(select id from endpoints where id in ${targets} order by id for no key update)` : targets;
  return `update endpoints set next_due_at = case when ${lowers} then ${setAt} else next_due_at end where id in ${rows}
    returning id, case when held = 0 and (ordering <> 'fifo' or next_due_at = ${wakeAt}) then 1 else 0 end as wakes`;
}

/**
 * Runs `work` (which may make deliveries: a publish, an attempt's record with the operational
 * events it causes, an endpoint's status change) in a transaction, marks the endpoints that got
 * work as due inside it, and wakes the workers after the commit.
 */
export function publishingTransaction(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect) {
  const markDue = markDueStatements(kind);
  return async <T>(work: (trx: Kysely<Database>) => Promise<{ value: T; due: Array<DueWork | null> }>): Promise<T> => {
    const { value, wake } = await dialect.transaction(async (trx) => {
      const done = await work(trx);
      let wake = false;
      for (const d of done.due) if (d && (await markDue(trx, d.endpointIds, d.at))) wake = true;
      return { ...done, wake };
    });
    if (wake) await dialect.wake();
    return value;
  };
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
