import type { Kysely } from 'kysely';
import type { CredentialRepository } from '../store.js';
import { toCredential, toPage } from './rows.js';
import type { Database } from './schema.js';

/** Tenant API keys and portal tokens: hashes only, soft-revoked so audit targets stay meaningful. */
export function credentialRepository(db: Kysely<Database>): CredentialRepository {
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
      const row = await db.selectFrom('credentials').selectAll().where('hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
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
  };
}
