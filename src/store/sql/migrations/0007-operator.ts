import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/** The reserved tenant's settings as of this release: standard-webhooks, snake envelope, the default schedule. */
const OPERATOR_SETTINGS = {
  retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400],
  attemptTimeoutMs: 10_000,
  autoDisableAfterFailures: 20,
  signature: { scheme: 'standard-webhooks' },
  envelope: 'snake',
  userAgent: 'Herald/0.1.0',
  eventQuota: null,
  retentionDays: 30,
};

export const operator: Migration = {
  name: '0007-operator',
  async up(db: Kysely<any>) {
    // The operator's endpoints belong to this reserved tenant (see domain/operational-event.ts):
    // a row, so the claim finds its settings and every foreign key holds as for any tenant.
    await db
      .insertInto('tenants')
      .values({ id: 'herald:operator', name: 'Herald operator', settings: JSON.stringify(OPERATOR_SETTINGS), created_at: Date.now() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    // 1 from the attempt that made the failing streak reach `failingAfter` (endpoint.failing sent)
    // until the first success after it (endpoint.recovered sent); enabling leaves it alone.
    await db.schema.alterTable('endpoints').addColumn('failing', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // The console's banner reads the few endpoints in trouble, never a walk of all of them.
    await db.schema
      .createIndex('endpoints_in_trouble')
      .on('endpoints')
      .columns(['id'])
      .where(sql<boolean>`failing = 1 or status = 'disabled'`)
      .execute();
  },
};
