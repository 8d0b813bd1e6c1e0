import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/** Each event keeps its publish span's traceparent, so attempts in any process join its trace. */
export const traceContext: Migration = {
  name: '0004-trace-context',
  async up(db: Kysely<any>) {
    await db.schema.alterTable('events').addColumn('trace_context', 'text').execute();
  },
};
