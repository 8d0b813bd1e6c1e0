import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Indexes for the operator's health page (store.health, deliveries.outcomeStats). Measured with
 * bench/health-query.ts: 10,000 tenants, 700,000 deliveries and attempts, the first page's 25
 * tenants busy (240,000 attempts in its 24 h): that page takes 120 ms on SQLite and 230 ms on
 * PostgreSQL, any quieter page 2.5 and 15 ms. Without these the attempt figures read every
 * attempt of the table (or each attempt's delivery row: 5.1 s on SQLite for that page).
 */
export const healthIndexes: Migration = {
  name: '0008-health-indexes',
  async up(db: Kysely<any>) {
    // A window of a few tenants' attempts, read from the index alone (the only other index on
    // attempts is by delivery, so the tenant's attempt figures read the whole table).
    await db.schema
      .createIndex('attempts_by_tenant_time')
      .on('attempts')
      .columns(['tenant_id', 'started_at', 'status_code', 'duration_ms', 'delivery_id'])
      .execute();
    // Test sends are few: this names them, so figures can leave them out without reading each
    // delivery row (the literal condition lets the planners use it; see statuses.ts).
    await db.schema.createIndex('deliveries_tests').on('deliveries').columns(['tenant_id', 'id']).where(sql.ref('is_test'), '=', 1).execute();
    // The outcome chart reads one day of deliveries across tenants, not the whole retention window.
    // Inserts append at its right edge (no measurable cost on 1,000-row batches).
    await db.schema.createIndex('deliveries_by_age').on('deliveries').columns(['created_at']).execute();
  },
};
