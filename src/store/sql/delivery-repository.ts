import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { OUTCOME_STATUSES } from '../../domain/delivery.js';
import { OPERATOR_TENANT_ID } from '../../domain/operational-event.js';
import type { DeliveryRepository, RequeueSelector } from '../store.js';
import { rescheduleEndpoints } from './endpoint-schedule.js';
import { toAttempt, toLoggedDelivery, toPage } from './rows.js';
import type { Database } from './schema.js';
import { FAILING, statusIs } from './statuses.js';

export function deliveryRepository(db: Kysely<Database>, wake: () => Promise<void>): DeliveryRepository {
  return {
    async list(tenantId, filter, { limit, cursor }) {
      // Newest first: the log is read from the top.
      let query = withLastAttempt(db).where('d.tenant_id', '=', tenantId).orderBy('d.id', 'desc').limit(limit + 1);
      if (cursor) query = query.where('d.id', '<', cursor);
      if (filter.endpointId) query = query.where('d.endpoint_id', '=', filter.endpointId);
      if (filter.eventType) query = query.where('d.event_type', '=', filter.eventType);
      if (filter.outcome) query = query.where('d.status', 'in', OUTCOME_STATUSES[filter.outcome]);
      if (filter.from) query = query.where('d.created_at', '>=', filter.from.getTime());
      if (filter.to) query = query.where('d.created_at', '<=', filter.to.getTime());
      return toPage(await query.execute(), limit, toLoggedDelivery, (row) => row.id);
    },
    async get(tenantId, id) {
      const row = await withLastAttempt(db).where('d.tenant_id', '=', tenantId).where('d.id', '=', id).executeTakeFirst();
      return row ? toLoggedDelivery(row) : null;
    },
    async attempts(deliveryId) {
      const rows = await db.selectFrom('attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('number').execute();
      return rows.map(toAttempt);
    },
    async requeue(tenantId, selector, scheduleLength, now) {
      const requeued = await db
        .updateTable('deliveries')
        .set((eb) => ({
          status: 'pending',
          next_attempt_at: now.getTime(),
          lease_expires_at: null,
          run_start: eb.ref('attempt_count'),
          max_attempts: eb('attempt_count', '+', scheduleLength),
          // A re-sent delivery keeps its place in a FIFO line (its event's sequence); a test
          // send, outside any line until now, joins it where its event was published.
          event_seq: sql<number>`coalesce(event_seq, (select seq from events where events.id = deliveries.event_id))`,
        }))
        .where('tenant_id', '=', tenantId)
        .where('status', '!=', 'delivering')
        .where((eb) => selected(eb, selector))
        .returning('endpoint_id')
        .execute();
      await rescheduleEndpoints(db, requeued.map((row) => row.endpoint_id));
      if (requeued.length > 0) await wake();
      return requeued.length;
    },
    async stats(tenantId, from, to, bucketMs) {
      if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new RangeError('bucketMs must be a positive integer');
      // Integer division in both databases (started_at is integer/bigint). The bucket size is a
      // literal, not a parameter, so PostgreSQL sees the same expression in SELECT and GROUP BY.
      const size = sql.lit(bucketMs);
      const bucket = sql<number>`(a.started_at / ${size}) * ${size}`;
      const rows = await db
        .selectFrom('attempts as a')
        .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
        .where('a.tenant_id', '=', tenantId)
        .where('d.is_test', '=', 0)
        .where('a.started_at', '>=', from.getTime())
        .where('a.started_at', '<', to.getTime())
        .select([
          'd.endpoint_id as endpoint_id',
          bucket.as('bucket'),
          sql<number>`count(*)`.as('attempts'),
          sql<number>`sum(case when a.status_code >= 200 and a.status_code < 300 then 1 else 0 end)`.as('succeeded'),
          sql<number>`avg(a.duration_ms)`.as('avg_ms'),
          sql<number>`max(a.duration_ms)`.as('max_ms'),
        ])
        .groupBy(['d.endpoint_id', bucket])
        .orderBy('d.endpoint_id')
        .orderBy(bucket)
        .execute();
      return rows.map((row) => ({
        endpointId: row.endpoint_id,
        bucketStart: new Date(Number(row.bucket)),
        attempts: Number(row.attempts),
        succeeded: Number(row.succeeded),
        avgLatencyMs: Math.round(Number(row.avg_ms)),
        maxLatencyMs: Number(row.max_ms),
      }));
    },
    async outcomeStats(from, to, bucketMs) {
      if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new RangeError('bucketMs must be a positive integer');
      // As in `stats`: integer division on the integer created_at, the bucket size a literal.
      const size = sql.lit(bucketMs);
      const bucket = sql<number>`(created_at / ${size}) * ${size}`;
      const count = (statuses: string[]) =>
        sql<number>`sum(case when status in (${sql.join(statuses.map((status) => sql.lit(status)))}) then 1 else 0 end)`;
      const rows = await db
        .selectFrom('deliveries')
        .where('is_test', '=', 0)
        // Deliveries to the operator's own endpoints are not the tenants' health.
        .where('tenant_id', '!=', OPERATOR_TENANT_ID)
        .where('created_at', '>=', from.getTime())
        .where('created_at', '<', to.getTime())
        .where('status', '!=', 'canceled')
        .select([
          bucket.as('bucket'),
          count(OUTCOME_STATUSES.succeeded).as('succeeded'),
          count(OUTCOME_STATUSES.failed).as('failed'),
          count(OUTCOME_STATUSES.pending).as('pending'),
        ])
        .groupBy(bucket)
        .orderBy(bucket)
        .execute();
      return rows.map((row) => ({
        bucketStart: new Date(Number(row.bucket)),
        succeeded: Number(row.succeeded),
        failed: Number(row.failed),
        pending: Number(row.pending),
      }));
    },
  };
}

/**
 * Deliveries with their latest attempt's outcome in the same query: its number is the delivery's
 * attempt_count (numbers never restart), so each row costs one probe of attempts_by_delivery.
 */
const withLastAttempt = (db: Kysely<Database>) =>
  db
    .selectFrom('deliveries as d')
    .leftJoin('attempts as a', (join) => join.onRef('a.delivery_id', '=', 'd.id').onRef('a.number', '=', 'd.attempt_count'))
    .selectAll('d')
    .select(['a.number as last_number', 'a.status_code as last_status_code', 'a.duration_ms as last_duration_ms', 'a.error as last_error']);

function selected(eb: ExpressionBuilder<Database, 'deliveries'>, selector: RequeueSelector) {
  if ('deliveryId' in selector) return eb('id', '=', selector.deliveryId);
  // Literal, so the failed and dead are read from deliveries_failing (statuses.ts).
  const failedOfEndpoint = [eb('endpoint_id', '=', selector.endpointId), eb('is_test', '=', 0), statusIs(FAILING)];
  if ('failedOnly' in selector) return eb.and(failedOfEndpoint);
  return eb.and([...failedOfEndpoint, eb('created_at', '>=', selector.since.getTime())]);
}
