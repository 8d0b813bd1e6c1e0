import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * `endpoints.next_due_at` says when an endpoint next has work. The claim walks endpoints in
 * that order, so these two helpers are the only writers of the column besides the claim.
 */

/** New work is due at `at` for these endpoints: move their next_due_at earlier if needed. */
export async function markDue(db: Kysely<Database>, endpointIds: string[], at: number): Promise<void> {
  // One row at a time, in id order: an `id in (…)` update locks rows in whatever order it
  // scans them, and on PostgreSQL two transactions taking the same endpoints' row locks in
  // different orders deadlock (publishes here against attempt records, which also go by id).
  for (const id of [...new Set(endpointIds)].sort()) {
    await db
      .updateTable('endpoints')
      .set({ next_due_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('next_due_at', 'is', null), eb('next_due_at', '>', at)]))
      .execute();
  }
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
