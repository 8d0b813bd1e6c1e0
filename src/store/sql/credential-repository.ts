import type { Kysely, Selectable } from 'kysely';
import type { CredentialRepository } from '../store.js';
import { fixedStatement } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { toCredential, toPage } from './rows.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/** Tenant API keys and portal tokens: hashes only, soft-revoked so audit targets stay meaningful. */
export function credentialRepository(db: Kysely<Database>, kind: SqlDialect, dialect: Pick<StoreDialect, 'transaction'>): CredentialRepository {
  // Every API request with a tenant credential reads it: a fixed statement, built once (and on
  // PostgreSQL parsed and planned once per connection), not by the query builder at each call.
  const byHash = fixedStatement<Selectable<Database['credentials']>>(kind, 'select * from credentials where hash = ? and revoked_at is null');
  const live = (now: Date) =>
    db
      .selectFrom('credentials')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.getTime())]));

  return {
    async create(credential) {
      await db
        .insertInto('credentials')
        .values({
          id: credential.id,
          tenant_id: credential.tenantId,
          kind: credential.kind,
          hash: credential.hash,
          name: credential.name,
          prefix: credential.prefix,
          expires_at: credential.expiresAt?.getTime() ?? null,
          created_at: credential.createdAt.getTime(),
          last_used_at: null,
          revoked_at: null,
        })
        .execute();
    },
    async findByHash(hash) {
      const [row] = await byHash.run(db, [hash]);
      return row ? toCredential(row) : null;
    },
    async list(tenantId, kind, now, { limit, cursor }) {
      let query = live(now).where('tenant_id', '=', tenantId).where('kind', '=', kind).orderBy('id').limit(limit + 1);
      if (cursor) query = query.where('id', '>', cursor);
      return toPage(await query.execute(), limit, toCredential, (row) => row.id);
    },
    async revoke(tenantId, kind, id, now) {
      const result = await db
        .updateTable('credentials')
        .set({ revoked_at: now.getTime() })
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.getTime())]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(uses) {
      // A handful of rows every few seconds: one statement each costs less than building a CASE.
      for (const [id, at] of uses) {
        await db
          .updateTable('credentials')
          .set({ last_used_at: at.getTime() })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at.getTime())]))
          .execute();
      }
    },
    async live(ids, now) {
      if (ids.length === 0) return new Set();
      const rows = await live(now).clearSelect().select('id').where('id', 'in', [...ids]).execute();
      return new Set(rows.map((row) => row.id));
    },
    openStream(credentialId, streamId, limit, now, leaseUntil) {
      return dialect.transaction(async (trx) => {
        // A no-op update that takes the credential's row lock on PostgreSQL: two processes
        // opening a stream for one credential at once queue here, so neither counts past the
        // other's insert. (SQLite has one writer: transactions never interleave.)
        await trx.updateTable('credentials').set((eb) => ({ kind: eb.ref('kind') })).where('id', '=', credentialId).execute();
        await trx.deleteFrom('credential_streams').where('credential_id', '=', credentialId).where('lease_until', '<=', now.getTime()).execute();
        const held = await trx.selectFrom('credential_streams').select((eb) => eb.fn.countAll().as('count')).where('credential_id', '=', credentialId).executeTakeFirstOrThrow();
        if (Number(held.count) >= limit) return false;
        await trx.insertInto('credential_streams').values({ id: streamId, credential_id: credentialId, lease_until: leaseUntil.getTime() }).execute();
        return true;
      });
    },
    async renewStreams(streamIds, leaseUntil) {
      if (streamIds.length === 0) return;
      await db.updateTable('credential_streams').set({ lease_until: leaseUntil.getTime() }).where('id', 'in', [...streamIds]).execute();
    },
    async closeStream(streamId) {
      await db.deleteFrom('credential_streams').where('id', '=', streamId).execute();
    },
  };
}
