import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

export const credentialLifecycle: Migration = {
  name: '0005-credential-lifecycle',
  async up(db: Kysely<any>) {
    // A revoked credential keeps its row (revoked_at set) so the audit trail's target ids stay
    // meaningful; every lookup reads only rows without it. `prefix` is the start of the token,
    // the only part ever shown again; rows from before this migration have none.
    await db.schema.alterTable('credentials').addColumn('name', 'text').execute();
    await db.schema.alterTable('credentials').addColumn('prefix', 'text').execute();
    await db.schema.alterTable('credentials').addColumn('last_used_at', 'bigint').execute();
    await db.schema.alterTable('credentials').addColumn('revoked_at', 'bigint').execute();
    await db.schema.createIndex('credentials_by_tenant').on('credentials').columns(['tenant_id', 'kind', 'id']).execute();

    // Open event streams per credential, across every API process: a row is a place, leased
    // and renewed by the process that holds the stream, so a crashed process frees its places.
    await db.schema
      .createTable('credential_streams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id').onDelete('cascade'))
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('credential_streams_by_credential').on('credential_streams').columns(['credential_id']).execute();

    // Catalog and tenant changes: no tenant_id (and no cascade), so deleting a tenant keeps its record.
    await db.schema
      .createTable('operator_audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
