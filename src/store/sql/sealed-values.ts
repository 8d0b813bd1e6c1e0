import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { SealedValueRepository } from '../store.js';
import type { SqlDialect } from './migrator.js';
import type { Database } from './schema.js';

/** Walks and rewrites the columns that hold sealed values, for `herald rekey` and upgrades. */
export function sealedValueRepository(db: Kysely<Database>, kind: SqlDialect): SealedValueRepository {
  return {
    async endpointsAfter(afterId, limit) {
      const rows = await db
        .selectFrom('endpoints')
        .select(['id', 'secret', 'previous_secret', 'verify_token', 'headers'])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        secret: row.secret,
        previousSecret: row.previous_secret,
        verifyToken: row.verify_token,
        headers: JSON.parse(row.headers) as Record<string, string>,
      }));
    },
    async replaceEndpoint(before, next) {
      // Compare-and-set: an edit (or another process's rekey) since the read wins.
      const result = await db
        .updateTable('endpoints')
        .set({ secret: next.secret, previous_secret: next.previousSecret, verify_token: next.verifyToken, headers: JSON.stringify(next.headers) })
        .where('id', '=', before.id)
        .where((eb) =>
          eb.and([
            nullableEquals(eb, 'secret', before.secret),
            nullableEquals(eb, 'previous_secret', before.previousSecret),
            nullableEquals(eb, 'verify_token', before.verifyToken),
            eb('headers', '=', JSON.stringify(before.headers)),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async attemptHeadersAfter(afterId, limit) {
      const rows = await db.selectFrom('attempts').select(['id', 'request_headers']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rows.map((row) => ({ id: Number(row.id), requestHeaders: JSON.parse(row.request_headers) as Record<string, string> }));
    },
    async replaceAttemptHeaders(id, requestHeaders) {
      await db.updateTable('attempts').set({ request_headers: JSON.stringify(requestHeaders) }).where('id', '=', id).execute();
    },
    async putMeta(key, value) {
      await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
    async deleteMeta(key) {
      await db.deleteFrom('meta').where('key', '=', key).execute();
    },
    async compact() {
      if (kind !== 'sqlite') return;
      await sql`VACUUM`.execute(db);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    },
  };
}

type EndpointColumn = 'secret' | 'previous_secret' | 'verify_token';

function nullableEquals(eb: ExpressionBuilder<Database, 'endpoints'>, column: EndpointColumn, value: string | null) {
  return value === null ? eb(column, 'is', null) : eb(column, '=', value);
}
