import type { Kysely } from 'kysely';
import type { EndpointPatch } from '../../domain/endpoint.js';
import { isOperatorTenant, type OperationalEvent } from '../../domain/operational-event.js';
import type { EndpointRepository, StatusChange } from '../store.js';
import { publishingTransaction, rescheduleEndpoints } from './endpoint-schedule.js';
import type { SqlDialect } from './migrator.js';
import { emitOperational, operationalStatements } from './operational-events.js';
import { publishStatements } from './publish.js';
import { jsonOrNull, toEndpoint, toEndpointSecrets, toPage } from './rows.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export function endpointRepository(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect): EndpointRepository {
  const wake = () => dialect.wake();
  const changed = (tenantId: string) => dialect.endpointsChanged(tenantId);
  const publishing = publishingTransaction(db, kind, dialect);
  const operational = { ...operationalStatements(kind), publish: publishStatements(kind) };
  return {
    async create(endpoint, secrets) {
      const row = await db
        .insertInto('endpoints')
        .values({
          id: endpoint.id,
          tenant_id: endpoint.tenantId,
          url: endpoint.url,
          description: endpoint.description,
          event_types: JSON.stringify(endpoint.eventTypes),
          filter: jsonOrNull(endpoint.filter),
          status: endpoint.status,
          disabled_reason: endpoint.disabledReason ?? null,
          consecutive_failures: 0,
          failing: 0,
          headers: JSON.stringify(endpoint.headers),
          rate_limit_per_second: endpoint.rateLimitPerSecond,
          max_in_flight: endpoint.maxInFlight ?? null,
          ordering: endpoint.ordering ?? 'unordered',
          signature: jsonOrNull(endpoint.signature),
          secret: secrets.secret,
          previous_secret: secrets.previousSecret,
          previous_secret_expires_at: secrets.previousSecretExpiresAt?.getTime() ?? null,
          verify_token: secrets.verifyToken,
          next_due_at: null,
          held: 0,
          created_at: endpoint.createdAt.getTime(),
          updated_at: endpoint.createdAt.getTime(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await changed(endpoint.tenantId);
      return toEndpoint(row);
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('endpoints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },
    async getSecrets(tenantId, id) {
      const row = await db
        .selectFrom('endpoints')
        .select(['secret', 'previous_secret', 'previous_secret_expires_at', 'verify_token'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toEndpointSecrets(row) : null;
    },
    async setSecrets(tenantId, id, secrets) {
      await db
        .updateTable('endpoints')
        .set({
          secret: secrets.secret,
          previous_secret: secrets.previousSecret,
          previous_secret_expires_at: secrets.previousSecretExpiresAt?.getTime() ?? null,
          verify_token: secrets.verifyToken,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async list(tenantId, { limit, cursor }) {
      let query = db.selectFrom('endpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(limit + 1);
      if (cursor) query = query.where('id', '>', cursor);
      return toPage(await query.execute(), limit, toEndpoint, (row) => row.id);
    },
    async count(tenantId) {
      const row = await db.selectFrom('endpoints').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async update(tenantId, id, patch, now) {
      const row = await db
        .updateTable('endpoints')
        .set({ ...patchColumns(patch), updated_at: now.getTime() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (row) await changed(tenantId);
      // The other ordering picks its next delivery by another rule, and another cap may free
      // slots of an endpoint held at the old one: its schedule follows, held no longer.
      const rescheduled = patch.ordering !== undefined || patch.maxInFlight !== undefined;
      if (row && rescheduled) await rescheduleEndpoints(db, [id]);
      // Deliveries wait while an endpoint is not active; activating it must wake the workers.
      if (row && (patch.status === 'active' || rescheduled)) await wake();
      return row ? toEndpoint(row) : null;
    },
    async setStatus(tenantId, id, change, now) {
      const result = await publishing(async (trx) => {
        // Only a change of status is an event: the update that makes it is conditional, so of two
        // concurrent requests (any processes) exactly one finds the old status and reports it.
        const columns = statusColumns(change, now);
        const changedRow = await trx
          .updateTable('endpoints')
          .set(columns)
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('status', '!=', change.status)
          .returningAll()
          .executeTakeFirst();
        const row =
          changedRow ?? (await trx.updateTable('endpoints').set(columns).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst());
        if (!row) return { value: null, due: [] };
        const events: OperationalEvent[] = changedRow && !isOperatorTenant(tenantId) ? [statusEvent(row, change)] : [];
        return { value: { endpoint: toEndpoint(row), changed: Boolean(changedRow), events }, due: [await emitOperational(trx, operational, events, now)] };
      });
      if (result) await changed(tenantId);
      if (result && change.status === 'active') await wake();
      return result;
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      const deleted = Number(result.numDeletedRows) > 0;
      if (deleted) await changed(tenantId);
      return deleted;
    },
    async listMatchers(tenantId) {
      const rows = await db.selectFrom('endpoints').select(['id', 'event_types', 'filter']).where('tenant_id', '=', tenantId).orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, eventTypes: JSON.parse(row.event_types), filter: row.filter === null ? null : JSON.parse(row.filter) }));
    },
  };
}

function patchColumns(patch: EndpointPatch): Partial<Database['endpoints']> {
  const columns: Partial<Database['endpoints']> = {};
  if (patch.url !== undefined) columns.url = patch.url;
  if (patch.description !== undefined) columns.description = patch.description;
  if (patch.eventTypes !== undefined) columns.event_types = JSON.stringify(patch.eventTypes);
  if (patch.filter !== undefined) columns.filter = jsonOrNull(patch.filter);
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.disabledReason !== undefined) columns.disabled_reason = patch.disabledReason;
  if (patch.headers !== undefined) columns.headers = JSON.stringify(patch.headers);
  if (patch.rateLimitPerSecond !== undefined) columns.rate_limit_per_second = patch.rateLimitPerSecond;
  if (patch.maxInFlight !== undefined) columns.max_in_flight = patch.maxInFlight;
  if (patch.ordering !== undefined) columns.ordering = patch.ordering;
  if (patch.signature !== undefined) columns.signature = jsonOrNull(patch.signature);
  if (patch.consecutiveFailures !== undefined) columns.consecutive_failures = patch.consecutiveFailures;
  return columns;
}

/** Enabling clears the reason and the count of consecutive failures, never the failing streak (see 0007). */
function statusColumns(change: StatusChange, now: Date): Partial<Database['endpoints']> {
  return change.status === 'active'
    ? { status: 'active', disabled_reason: null, consecutive_failures: 0, updated_at: now.getTime() }
    : { status: 'disabled', disabled_reason: change.reason, updated_at: now.getTime() };
}

function statusEvent(row: { tenant_id: string; id: string; url: string }, change: StatusChange): OperationalEvent {
  const endpoint = { tenantId: row.tenant_id, endpointId: row.id, url: row.url };
  return change.status === 'active'
    ? { type: 'endpoint.enabled', data: endpoint }
    : { type: 'endpoint.disabled', data: { ...endpoint, reason: change.reason, by: change.by } };
}
