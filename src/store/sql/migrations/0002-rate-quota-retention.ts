import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

export const rateQuotaRetention: Migration = {
  name: '0002-rate-quota-retention',
  async up(db: Kysely<any>) {
    // The token bucket of `rateLimitPerSecond` lives on the endpoint row, which the claim
    // already locks: the limit then holds across every worker without another lock.
    // `double precision` is REAL to SQLite and float8 to PostgreSQL.
    await db.schema.alterTable('endpoints').addColumn('rate_tokens', 'double precision').execute();
    await db.schema.alterTable('endpoints').addColumn('rate_refilled_at', 'bigint').execute();

    // One row per tenant and quota period, bumped by the publish transaction itself.
    await db.schema
      .createTable('quota_usage')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('quota_usage_pk', ['tenant_id', 'period_start'])
      .execute();

    // Retention deletes a tenant's oldest events in small batches.
    await db.schema.createIndex('events_by_tenant_age').on('events').columns(['tenant_id', 'created_at']).execute();
  },
};
