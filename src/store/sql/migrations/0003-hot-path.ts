import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

export const hotPath: Migration = {
  name: '0003-hot-path',
  async up(db: Kysely<any>, dialect) {
    if (dialect === 'postgres') {
      // Polling order on PostgreSQL is (writing transaction, seq): the column default records the
      // inserting transaction's id, so every publish path gets it without naming it. xid8 as
      // bigint: 64 bits with the epoch, never wrapping; events stored before this migration
      // keep 0 and so come first, in seq order, as they did.
      await sql`alter table events add column xid bigint not null default 0`.execute(db);
      await sql`alter table events alter column xid set default (pg_current_xact_id()::text::bigint)`.execute(db);
      await db.schema.createIndex('events_poll').on('events').columns(['tenant_id', 'xid', 'seq']).where(sql.ref('is_test'), '=', 0).execute();
    }

    // Worker liveness: each delivering process keeps a row fresh; a lease names its owner, so the
    // sweep frees the leases of owners whose row went stale (a killed process) without waiting
    // for the lease itself to run out.
    await db.schema
      .createTable('workers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('deliveries').addColumn('lease_owner', 'text').execute();
    await db.schema.createIndex('deliveries_by_owner').on('deliveries').columns(['lease_owner']).where(sql.ref('status'), '=', 'delivering').execute();
  },
};
