import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.js';

/**
 * PostgreSQL publishes in one statement (publish.ts). A quota past its limit must fail that
 * statement whole, and SQL has no expression that raises an error of its own; this function
 * does, with a SQLSTATE of Herald's own (HQ001) that the store maps back to `quota_exceeded`.
 * It is created in the store's schema, where the statement finds it. SQLite needs nothing.
 */
export const publishRefusal: Migration = {
  name: '0009-publish-refusal',
  async up(db: Kysely<any>, dialect) {
    if (dialect !== 'postgres') return;
    await sql`create or replace function herald_refuse(reason text) returns bigint language plpgsql as $$
      begin
        raise exception using errcode = 'HQ001', message = reason;
      end
      $$`.execute(db);
  },
};
