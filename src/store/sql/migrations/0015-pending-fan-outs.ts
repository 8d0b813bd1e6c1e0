import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * SQLite only: a publish's deliveries past a few dozen are written as parts of their rows, one
 * row a part, and made deliveries after the publish is answered (sql/fan-out.ts). PostgreSQL
 * inserts them in the publish's own statement, on the server's core, and has no such table.
 */
export const pendingFanOuts: Migration = {
  name: '0015-pending-fan-outs',
  async up(db: Kysely<any>, dialect) {
    if (dialect !== 'sqlite') return;
    await db.schema
      .createTable('pending_fan_outs')
      // Parts are made deliveries in the order they were written; AUTOINCREMENT never hands out
      // an id again once the table is empty, so "every part up to id N is made" stays true.
      .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
      .addColumn('tenant_id', 'text', (column) => column.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('max_attempts', 'integer', (column) => column.notNull())
      .addColumn('deliveries', 'text', (column) => column.notNull())
      .execute();
    await db.schema.createIndex('pending_fan_outs_by_tenant').on('pending_fan_outs').column('tenant_id').execute();
  },
};
