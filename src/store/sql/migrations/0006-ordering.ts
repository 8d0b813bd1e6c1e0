import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

export const ordering: Migration = {
  name: '0006-ordering',
  async up(db: Kysely<any>) {
    await db.schema.alterTable('endpoints').addColumn('ordering', 'text', (c) => c.notNull().defaultTo('unordered')).execute();

    // A FIFO endpoint's line is its waiting deliveries in publish order: the event's sequence,
    // copied onto the delivery so the head is one index probe, not a join. Not next_attempt_at:
    // that moves with every retry and re-send, and a re-sent delivery must go back to its place.
    // Only waiting and in-flight rows need a place now: a finished one gets its place when it
    // is re-sent (requeue), and test sends stand outside every line (null).
    await db.schema.alterTable('deliveries').addColumn('event_seq', 'bigint').execute();
    await sql`update deliveries set event_seq = (select seq from events where events.id = deliveries.event_id)
      where is_test = 0 and status in ('pending', 'failed', 'delivering')`.execute(db);
    // The same partial condition as deliveries_due, so the claim's head lookup uses it.
    await db.schema.createIndex('deliveries_line').on('deliveries').columns(['endpoint_id', 'event_seq']).where(sql.ref('status'), 'in', ['pending', 'failed']).execute();
  },
};
