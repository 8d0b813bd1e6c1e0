import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

export const initial: Migration = {
  name: '0001-initial',
  async up(db: Kysely<any>, dialect) {
    // The polling cursor needs a gap-free-ish monotonic column; each database spells it its own way.
    const serial = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

    await db.schema.createTable('meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();

    await db.schema
      .createTable('event_types')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('schema', 'text')
      .addColumn('example', 'text')
      .addColumn('deprecated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('endpoints')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('event_types', 'text', (c) => c.notNull())
      .addColumn('filter', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('disabled_reason', 'text')
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('rate_limit_per_second', 'integer')
      .addColumn('signature', 'text')
      .addColumn('secret', 'text')
      .addColumn('previous_secret', 'text')
      .addColumn('previous_secret_expires_at', 'bigint')
      .addColumn('verify_token', 'text')
      // When this endpoint next has a delivery due: the claim schedules endpoints, not rows,
      // so one endpoint's backlog cannot crowd every other endpoint out of a claim.
      .addColumn('next_due_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('endpoints_by_tenant').on('endpoints').columns(['tenant_id', 'id']).execute();
    await db.schema.createIndex('endpoints_due').on('endpoints').columns(['status', 'next_due_at']).execute();

    await db.schema
      .createTable('events')
      .addColumn('seq', sql`${serial}`)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_by_tenant').on('events').columns(['tenant_id', 'seq']).execute();
    await db.schema.createIndex('events_by_idempotency_key').on('events').columns(['tenant_id', 'idempotency_key']).unique().where(sql.ref('idempotency_key'), 'is not', null).execute();
    await db.schema.createIndex('events_by_age').on('events').columns(['created_at']).execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
      .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id').onDelete('cascade'))
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_start', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('last_attempt_at', 'bigint')
      .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // The claim reads only waiting and leased rows; partial indexes keep it off the finished ones.
    await db.schema.createIndex('deliveries_due').on('deliveries').columns(['endpoint_id', 'next_attempt_at']).where(sql.ref('status'), 'in', ['pending', 'failed']).execute();
    await db.schema.createIndex('deliveries_leased').on('deliveries').columns(['endpoint_id', 'lease_expires_at']).where(sql.ref('status'), '=', 'delivering').execute();
    await db.schema.createIndex('deliveries_lease_expiry').on('deliveries').columns(['lease_expires_at']).where(sql.ref('status'), '=', 'delivering').execute();
    await db.schema.createIndex('deliveries_by_tenant').on('deliveries').columns(['tenant_id', 'id']).execute();
    await db.schema.createIndex('deliveries_by_endpoint').on('deliveries').columns(['endpoint_id', 'status']).execute();
    await db.schema.createIndex('deliveries_by_event').on('deliveries').columns(['event_id']).execute();

    await db.schema
      .createTable('attempts')
      .addColumn('id', sql`${serial}`)
      .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('response_body', 'text')
      .addColumn('error', 'text')
      .addColumn('request_headers', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('attempts_by_delivery').on('attempts').columns(['delivery_id', 'number']).execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_by_tenant').on('audit_log').columns(['tenant_id', 'id']).execute();
  },
};
