import { sql, type Kysely } from 'kysely';
import { fixedStatement, jsonTexts } from './fixed-statement.js';
import type { Database } from './schema.js';

/**
 * `endpoints.next_due_at` says when an endpoint next has work. The claim walks endpoints in
 * that order, so these helpers are the only writers of the column besides the claim.
 */

/**
 * New work is due at `at` for these endpoints: move their next_due_at earlier where needed.
 * SQLite runs it inside the publish transaction (one writer: nothing can race it). PostgreSQL
 * publishes in one statement that carries the same mark (publishStatementPostgres in
 * publish.ts, where the race with claims is argued).
 */
export function markDueStatement() {
  const lower = fixedStatement(
    'sqlite',
    `update endpoints set next_due_at = ? where id in ${jsonTexts('sqlite')} and (next_due_at is null or next_due_at > ?)`,
  );
  return async (db: Kysely<Database>, endpointIds: string[], at: number): Promise<void> => {
    await lower.run(db, [at, JSON.stringify(endpointIds), at]);
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
