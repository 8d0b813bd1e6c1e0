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

/**
 * New work is due at `at` for these endpoints: move their next_due_at earlier where needed.
 *
 * SQLite (one writer) runs it inside the publish transaction. PostgreSQL runs it after the
 * publish committed, and never waits for a claim: a claim or record in flight on the same
 * endpoint may be about to write a next_due_at computed from a snapshot that predates the
 * publish, and this update (seeing the row as last committed) may pass it by. That claimer
 * closes the gap itself: after its own commit it re-checks the endpoints it rescheduled with a
 * fresh snapshot (`recheckSchedules` in delivery-queue.ts), which shows every publish that
 * committed before it. A publish that commits later still finds the claimer's value here.
 *
 * Measured (npm run bench, pg-workers, 2,000 events): the earlier design made every publish
 * first wait (`for share`) for whoever held its endpoints; publishers queued behind claims,
 * and claims (`skip locked`) skipped the endpoint the publishers held: 58 deliveries/s with
 * a publish→receive p50 of 12 s. Without the wait: 251/s and 2 s on the same machine.
 */
export function markDueStatements(kind: SqlDialect) {
  const ids = jsonTexts(kind);
  const lower = fixedStatement(
    kind,
    kind === 'postgres'
      ? `update endpoints set next_due_at = ? where id in (
           select id from endpoints where id in ${ids} and (next_due_at is null or next_due_at > ?) order by id for no key update)`
      : `update endpoints set next_due_at = ? where id in ${ids} and (next_due_at is null or next_due_at > ?)`,
  );
  /** Inside the publish transaction on SQLite, after its commit on PostgreSQL (see above). */
  return async (db: Kysely<Database>, endpointIds: string[], at: number): Promise<void> => {
    await lower.run(db, [at, JSON.stringify(endpointIds), at]);
  };
}

/**
 * Runs `work` (which may publish) in a transaction and schedules the deliveries it made: the
 * mark inside the transaction on SQLite, after the commit on PostgreSQL (see markDueStatements),
 * then a wake-up. Every writer of new deliveries goes through here.
 */
export function publishingTransaction(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect) {
  const markDue = markDueStatements(kind);
  return async <T>(work: (trx: Kysely<Database>) => Promise<{ value: T; due: Array<DueWork | null> }>): Promise<T> => {
    const { value, due } = await dialect.transaction(async (trx) => {
      const done = await work(trx);
      if (!dialect.markDueAfterCommit) for (const d of done.due) if (d) await markDue(trx, d.endpointIds, d.at);
      return done;
    });
    if (due.some(Boolean)) {
      // The deliveries are stored: a failed mark must not turn that into an error. The safety
      // sweep repairs a schedule left behind (repairSchedules in delivery-queue.ts).
      if (dialect.markDueAfterCommit) for (const d of due) if (d) await markDue(db, d.endpointIds, d.at).catch(() => {});
      await dialect.wake();
    }
    return value;
  };
}

/** Recomputes next_due_at from the endpoints' waiting deliveries (an indexed MIN); answers them. */
export async function rescheduleEndpoints(db: Kysely<Database>, endpointIds: string[]): Promise<Array<number | null>> {
  if (endpointIds.length === 0) return [];
  const rows = await db
    .updateTable('endpoints')
    .set({
      next_due_at: sql<number | null>`(select min(d.next_attempt_at) from deliveries d
        where d.endpoint_id = endpoints.id and d.status in ('pending', 'failed'))`,
    })
    .where('id', 'in', [...new Set(endpointIds)])
    .returning('next_due_at')
    .execute();
  return rows.map((row) => (row.next_due_at === null ? null : Number(row.next_due_at)));
}
