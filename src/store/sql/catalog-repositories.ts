import type { Kysely } from 'kysely';
import { OPERATOR_TENANT_ID } from '../../domain/operational-event.js';
import { conflict } from '../../errors.js';
import type { EventTypeRepository, MetaRepository, TenantRepository } from '../store.js';
import { jsonOrNull, toEventType, toPage, toTenant } from './rows.js';
import type { Database } from './schema.js';

/** The small repositories: settings, catalog and tenants (credentials and audit have their own files). */

export function metaRepository(db: Kysely<Database>): MetaRepository {
  return {
    async get(key) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },
    async putIfAbsent(key, value) {
      await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.doNothing()).execute();
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}

export function eventTypeRepository(db: Kysely<Database>, catalogChanged: () => Promise<void>): EventTypeRepository {
  return {
    async create(eventType) {
      const result = await db
        .insertInto('event_types')
        .values({
          name: eventType.name,
          description: eventType.description,
          schema: jsonOrNull(eventType.schema),
          example: jsonOrNull(eventType.example),
          deprecated: eventType.deprecated ? 1 : 0,
          created_at: eventType.createdAt.getTime(),
          updated_at: eventType.updatedAt.getTime(),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw conflict(`Event type ${eventType.name} exists already`);
      await catalogChanged();
      return eventType;
    },
    async get(name) {
      const row = await db.selectFrom('event_types').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toEventType(row) : null;
    },
    async list({ limit, cursor }) {
      let query = db.selectFrom('event_types').selectAll().orderBy('name').limit(limit + 1);
      if (cursor) query = query.where('name', '>', cursor);
      return toPage(await query.execute(), limit, toEventType, (row) => row.name);
    },
    async update(name, patch) {
      const values: Partial<Database['event_types']> = { updated_at: (patch.updatedAt ?? new Date()).getTime() };
      if (patch.description !== undefined) values.description = patch.description;
      if (patch.schema !== undefined) values.schema = jsonOrNull(patch.schema);
      if (patch.example !== undefined) values.example = jsonOrNull(patch.example);
      if (patch.deprecated !== undefined) values.deprecated = patch.deprecated ? 1 : 0;
      const row = await db.updateTable('event_types').set(values).where('name', '=', name).returningAll().executeTakeFirst();
      if (row) await catalogChanged();
      return row ? toEventType(row) : null;
    },
    async delete(name) {
      const result = await db.deleteFrom('event_types').where('name', '=', name).executeTakeFirst();
      const deleted = Number(result.numDeletedRows) > 0;
      if (deleted) await catalogChanged();
      return deleted;
    },
  };
}

export function tenantRepository(db: Kysely<Database>, tenantChanged: (tenantId: string) => Promise<void>): TenantRepository {
  return {
    async create(tenant) {
      const result = await db
        .insertInto('tenants')
        .values({ id: tenant.id, name: tenant.name, settings: JSON.stringify(tenant.settings), created_at: tenant.createdAt.getTime() })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw conflict(`Tenant ${tenant.id} exists already`);
      return tenant;
    },
    async get(id) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toTenant(row) : null;
    },
    async list({ limit, cursor }) {
      // The operator's reserved tenant is no customer: it is never listed (nor counted, nor shown).
      let query = db.selectFrom('tenants').selectAll().where('id', '!=', OPERATOR_TENANT_ID).orderBy('id').limit(limit + 1);
      if (cursor) query = query.where('id', '>', cursor);
      return toPage(await query.execute(), limit, toTenant, (row) => row.id);
    },
    async update(id, patch) {
      const values: Partial<Database['tenants']> = {};
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.settings !== undefined) values.settings = JSON.stringify(patch.settings);
      if (Object.keys(values).length === 0) return this.get(id);
      const row = await db.updateTable('tenants').set(values).where('id', '=', id).returningAll().executeTakeFirst();
      if (row) await tenantChanged(id);
      return row ? toTenant(row) : null;
    },
    async delete(id) {
      const result = await db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
      const deleted = Number(result.numDeletedRows) > 0;
      if (deleted) await tenantChanged(id);
      return deleted;
    },
  };
}
