import { sql, type Kysely, type Selectable } from 'kysely';
import { HeraldError } from '../../errors.js';
import type { Delivery } from '../../domain/delivery.js';
import type { EventRepository, PublishInput, PublishResult } from '../store.js';
import { markDue } from './endpoint-schedule.js';
import { toEndpoint, toEvent } from './rows.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export function eventRepository(db: Kysely<Database>, dialect: StoreDialect): EventRepository {
  return {
    async publish(input) {
      const result = await dialect.transaction(async (trx) => {
        await dialect.beginPublish?.(trx, input.event.tenantId);
        return publishInTransaction(trx, input);
      });
      if (result.created && result.deliveries.length > 0 && !input.isTest) await dialect.wake();
      return result;
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toEvent(row) : null;
    },
    async poll(tenantId, { after, limit, type }) {
      let query = db
        .selectFrom('events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('is_test', '=', 0)
        .orderBy('seq')
        .limit(limit);
      if (after !== null) query = query.where('seq', '>', after);
      if (type) query = query.where('type', '=', type);
      return (await query.execute()).map(toEvent);
    },
    async pruneOlderThan(tenantId, before, limit) {
      const doomed = db.selectFrom('events').select('id').where('tenant_id', '=', tenantId).where('created_at', '<', before.getTime()).limit(limit);
      // Deliveries and attempts go with their event (ON DELETE CASCADE).
      const result = await db.deleteFrom('events').where('id', 'in', doomed).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

async function publishInTransaction(trx: Kysely<Database>, input: PublishInput): Promise<PublishResult> {
  const { event } = input;
  const seen = (row: Selectable<Database['events']>): PublishResult => ({ event: toEvent(row), created: false, deliveries: [], quotaUsed: null });
  const withSameKey = () =>
    trx.selectFrom('events').selectAll().where('tenant_id', '=', event.tenantId).where('idempotency_key', '=', event.idempotencyKey).executeTakeFirst();
  if (event.idempotencyKey !== null) {
    const existing = await withSameKey();
    if (existing) return seen(existing);
  }

  const row = await trx
    .insertInto('events')
    .values({
      id: event.id,
      tenant_id: event.tenantId,
      type: event.type,
      data: JSON.stringify(event.data),
      idempotency_key: event.idempotencyKey,
      is_test: input.isTest ? 1 : 0,
      created_at: event.createdAt.getTime(),
    })
    // With many API processes (PostgreSQL) a publish with the same key can commit between the
    // check above and this insert: this one then waits for it, inserts nothing and answers it.
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return seen((await withSameKey())!);
  const quotaUsed = input.quota ? await countAgainstQuota(trx, event.tenantId, input.quota) : null;

  const endpointRows = await trx.selectFrom('endpoints').selectAll().where('tenant_id', '=', event.tenantId).execute();
  const deliveries: Delivery[] = input.selectEndpoints(endpointRows.map(toEndpoint)).map((endpoint) => ({
    id: input.newDeliveryId(),
    tenantId: event.tenantId,
    eventId: event.id,
    eventType: event.type,
    endpointId: endpoint.id,
    status: 'pending',
    attemptCount: 0,
    maxAttempts: input.maxAttempts,
    // A test send has no schedule: the caller claims it at once, the claim loop never sees it.
    nextAttemptAt: input.isTest ? null : event.createdAt,
    lastAttemptAt: null,
    createdAt: event.createdAt,
    isTest: Boolean(input.isTest),
  }));
  if (deliveries.length > 0) {
    await trx
      .insertInto('deliveries')
      .values(
        deliveries.map((delivery) => ({
          id: delivery.id,
          tenant_id: delivery.tenantId,
          event_id: delivery.eventId,
          endpoint_id: delivery.endpointId,
          event_type: delivery.eventType,
          status: delivery.status,
          attempt_count: 0,
          max_attempts: delivery.maxAttempts,
          run_start: 0,
          next_attempt_at: delivery.nextAttemptAt?.getTime() ?? null,
          lease_expires_at: null,
          last_attempt_at: null,
          is_test: delivery.isTest ? 1 : 0,
          created_at: delivery.createdAt.getTime(),
        })),
      )
      .execute();
    if (!input.isTest) await markDue(trx, deliveries.map((d) => d.endpointId), event.createdAt.getTime());
  }
  return { event: toEvent(row), created: true, deliveries, quotaUsed };
}

/**
 * One upsert, atomic in either database: it adds the event to the period's count unless the
 * count has reached the limit. No row back means the quota is used up; throwing rolls the
 * event back with everything else of this publish.
 */
async function countAgainstQuota(trx: Kysely<Database>, tenantId: string, quota: { limit: number; periodStart: Date }): Promise<number> {
  const counted = await trx
    .insertInto('quota_usage')
    .values({ tenant_id: tenantId, period_start: quota.periodStart.getTime(), used: 1 })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'period_start'])
        .doUpdateSet({ used: sql<number>`quota_usage.used + 1` })
        .where('quota_usage.used', '<', quota.limit),
    )
    .returning('used')
    .executeTakeFirst();
  if (!counted || Number(counted.used) > quota.limit) {
    throw new HeraldError('quota_exceeded', `The tenant's event quota of ${quota.limit} is used up for this period`, [{ limit: quota.limit }]);
  }
  return Number(counted.used);
}
