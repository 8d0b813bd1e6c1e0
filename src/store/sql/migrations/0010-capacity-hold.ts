import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * `endpoints.held`: 1 while the endpoint's next_due_at was set by a claim that left work waiting
 * for capacity (every in-flight slot taken, or no rate token left). Its next_due_at already
 * says when it can go next (the earliest lease end, the next token), and an attempt ending
 * reschedules it, so a publish adding work to it neither lowers next_due_at nor wakes the
 * workers. Before, each publish to a busy endpoint woke every worker into a claim that could
 * take nothing: 85 % of the claims in a PostgreSQL bench run (npm run bench, pg-workers).
 */
export const capacityHold: Migration = {
  name: '0010-capacity-hold',
  async up(db: Kysely<any>) {
    await db.schema.alterTable('endpoints').addColumn('held', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
