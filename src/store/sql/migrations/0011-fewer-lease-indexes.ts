import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * Drops two indexes every lease wrote and every record removed again: deliveries_lease_expiry
 * (lease_expires_at) and deliveries_by_owner (lease_owner), both over delivering rows only.
 * Their readers (the lease sweep, the next lease end, freeing a dead worker's leases) read
 * deliveries_leased whole instead, which holds the same rows: no more than the attempts in
 * flight across all workers, a few hundred, so the scan stays small however long the backlog.
 * Each index was a page more in every claim's and every record's commit (npm run bench's SQL
 * profile: 22 pages written per SQLite commit).
 */
export const fewerLeaseIndexes: Migration = {
  name: '0011-fewer-lease-indexes',
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('deliveries_lease_expiry').ifExists().execute();
    await db.schema.dropIndex('deliveries_by_owner').ifExists().execute();
  },
};
