import { sql, type Kysely } from 'kysely';
import { DEFAULT_OPERATOR_SETTINGS, OPERATOR_TENANT_ID, type OperatorSettings } from '../../domain/operational-event.js';
import type { OperatorRepository } from '../store.js';
import { OPERATOR_SETTINGS_KEY } from './operational-events.js';
import { toEndpoint, toPage } from './rows.js';
import type { Database } from './schema.js';

/** The operator's settings (one meta row) and the tenants' endpoints its console warns about. */
export function operatorRepository(db: Kysely<Database>): OperatorRepository {
  const settings = async (): Promise<OperatorSettings> => {
    const row = await db.selectFrom('meta').select('value').where('key', '=', OPERATOR_SETTINGS_KEY).executeTakeFirst();
    return row ? { ...DEFAULT_OPERATOR_SETTINGS, ...(JSON.parse(row.value) as Partial<OperatorSettings>) } : DEFAULT_OPERATOR_SETTINGS;
  };
  return {
    settings,
    async updateSettings(patch) {
      const next = { ...(await settings()), ...patch };
      await db
        .insertInto('meta')
        .values({ key: OPERATOR_SETTINGS_KEY, value: JSON.stringify(next) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(next) }))
        .execute();
      return next;
    },
    async endpointsInTrouble({ limit, cursor }) {
      // The predicate of the partial index endpoints_in_trouble, spelled the same way.
      let query = db
        .selectFrom('endpoints')
        .selectAll()
        .where(sql<boolean>`(failing = 1 or status = 'disabled')`)
        .where('tenant_id', '!=', OPERATOR_TENANT_ID)
        .orderBy('id')
        .limit(limit + 1);
      if (cursor) query = query.where('id', '>', cursor);
      return toPage(await query.execute(), limit, toEndpoint, (row) => row.id);
    },
  };
}
