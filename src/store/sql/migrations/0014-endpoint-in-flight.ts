import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/** An endpoint's own cap on requests in flight (`maxInFlight`); null keeps the server's setting. */
export const endpointInFlight: Migration = {
  name: '0014-endpoint-in-flight',
  async up(db: Kysely<any>) {
    await db.schema.alterTable('endpoints').addColumn('max_in_flight', 'integer').execute();
  },
};
