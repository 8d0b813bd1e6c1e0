import type { Kysely, Selectable } from 'kysely';
import type { Delivery } from '../../domain/delivery.js';
import { HeraldError } from '../../errors.js';
import type { PublishInput, PublishOutcome, PublishResult } from '../store.js';
import { fixedStatement, jsonRows, jsonTexts } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';

type EventRow = Selectable<Database['events']>;

/** What a committed publish leaves for the endpoint schedule: these endpoints have work due at `at`. */
export interface DueWork {
  endpointIds: string[];
  at: number;
}

/**
 * A publish is a fixed number of set-based statements whatever its size and fan-out: one read
 * of the idempotency keys already taken, one multi-row insert of events, one quota upsert, one
 * multi-row insert of deliveries. Nothing here reads or writes an endpoint row (the caller
 * matched already; the schedule is the caller's next step), so publishes never queue behind
 * claims or one another.
 */
export function publishStatements(kind: SqlDialect) {
  const eventsByKey = fixedStatement<EventRow>(
    kind,
    `select * from events where tenant_id = ? and idempotency_key in ${jsonTexts(kind)} and idempotency_key is not null`,
  );
  // Rows go in item order (`order by ord`), so the sequence numbers follow the request order.
  // A key another publish took meanwhile (PostgreSQL, another process) inserts nothing here:
  // the insert waits for that publish to commit, and the event is read back by key instead.
  const events = jsonRows(kind, [
    ['id', 'text'],
    ['type', 'text'],
    ['data', 'text'],
    ['idempotency_key', 'text'],
    ['created_at', 'bigint'],
    ['trace_context', 'text'],
  ]);
  const insertEvents = fixedStatement<EventRow>(
    kind,
    `insert into events (id, tenant_id, type, data, idempotency_key, is_test, created_at, trace_context)
     select id, ?, type, data, idempotency_key, ?, created_at, trace_context from ${events} as e where true order by ord
     on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
     returning *`,
  );
  const deliveries = jsonRows(kind, [
    ['id', 'text'],
    ['event_id', 'text'],
    ['endpoint_id', 'text'],
    ['event_type', 'text'],
    ['created_at', 'bigint'],
    ['next_attempt_at', 'bigint'],
    ['event_seq', 'bigint'],
  ]);
  const insertDeliveries = fixedStatement(
    kind,
    `insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, max_attempts,
       run_start, next_attempt_at, lease_expires_at, last_attempt_at, is_test, created_at, event_seq)
     select id, ?, event_id, endpoint_id, event_type, 'pending', 0, ?, 0, next_attempt_at, null, null, ?, created_at, event_seq
     from ${deliveries} as d
     -- Matching used the API's cached endpoint list: one deleted a moment ago gets no delivery.
     where exists (select 1 from endpoints where endpoints.id = d.endpoint_id)`,
  );
  // Adds the batch's created events to the period's count unless that passes the limit; no row
  // back (or a first row already past it) means the quota is used up.
  const countQuota = fixedStatement<{ used: number }>(
    kind,
    `insert into quota_usage (tenant_id, period_start, used) values (?, ?, ?)
     on conflict (tenant_id, period_start) do update set used = quota_usage.used + excluded.used
     where quota_usage.used + excluded.used <= ?
     returning used`,
  );
  return { eventsByKey, insertEvents, insertDeliveries, countQuota };
}

export type PublishStatements = ReturnType<typeof publishStatements>;

export async function publishInTransaction(
  trx: Kysely<Database>,
  q: PublishStatements,
  input: PublishInput,
): Promise<{ result: PublishResult; due: DueWork | null }> {
  const { tenantId, items } = input;
  const isTest = input.isTest ? 1 : 0;
  const byKey = new Map<string, EventRow>();
  const readKeys = async (keys: string[]) => {
    if (keys.length === 0) return;
    for (const row of await q.eventsByKey.run(trx, [tenantId, JSON.stringify(keys)])) byKey.set(row.idempotency_key!, row);
  };
  await readKeys(unique(items.flatMap((item) => (item.event.idempotencyKey === null ? [] : [item.event.idempotencyKey]))));

  // An item is created unless its key was taken before, or by an earlier item of this batch.
  const claimedKeys = new Set<string>();
  const fresh = items.filter(({ event: { idempotencyKey: key } }) => {
    if (key === null) return true;
    if (byKey.has(key) || claimedKeys.has(key)) return false;
    claimedKeys.add(key);
    return true;
  });
  const inserted = new Map<string, EventRow>();
  if (fresh.length > 0) {
    const rows = fresh.map(({ event }) => [event.id, event.type, JSON.stringify(event.data), event.idempotencyKey, event.createdAt.getTime(), event.traceContext ?? null]);
    for (const row of await q.insertEvents.run(trx, [tenantId, isTest, JSON.stringify(rows)])) inserted.set(row.id, row);
  }
  await readKeys(fresh.flatMap(({ event }) => (event.idempotencyKey !== null && !inserted.has(event.id) ? [event.idempotencyKey] : [])));
  for (const row of inserted.values()) if (row.idempotency_key !== null) byKey.set(row.idempotency_key, row);

  const quotaUsed = input.quota && inserted.size > 0 ? await countAgainstQuota(trx, q, tenantId, inserted.size, input.quota) : null;

  const deliveryRows: unknown[][] = [];
  const outcomes = items.map(({ event, deliveries }): PublishOutcome => {
    const row = inserted.get(event.id);
    if (!row) return { event: toEvent(byKey.get(event.idempotencyKey!)!), created: false, deliveries: [] };
    // A test send has no schedule: the caller claims it at once, the claim loop never sees it.
    // Nor has it a place in a FIFO endpoint's line (claim.ts): it goes whatever waits there.
    const nextAttemptAt = input.isTest ? null : event.createdAt;
    const place = input.isTest ? null : Number(row.seq);
    const made = deliveries.map(({ id, endpointId }): Delivery => {
      deliveryRows.push([id, event.id, endpointId, event.type, event.createdAt.getTime(), nextAttemptAt?.getTime() ?? null, place]);
      return {
        id,
        tenantId,
        eventId: event.id,
        eventType: event.type,
        endpointId,
        status: 'pending',
        attemptCount: 0,
        maxAttempts: input.maxAttempts,
        nextAttemptAt,
        lastAttemptAt: null,
        createdAt: event.createdAt,
        isTest: Boolean(input.isTest),
      };
    });
    return { event: toEvent(row), created: true, deliveries: made };
  });
  if (deliveryRows.length > 0) await q.insertDeliveries.run(trx, [tenantId, input.maxAttempts, isTest, JSON.stringify(deliveryRows)]);

  const due =
    deliveryRows.length > 0 && !input.isTest
      ? { endpointIds: unique(deliveryRows.map((row) => row[2] as string)).sort(), at: deliveryRows.reduce((min, row) => Math.min(min, row[4] as number), Infinity) }
      : null;
  return { result: { outcomes, quotaUsed }, due };
}

async function countAgainstQuota(
  trx: Kysely<Database>,
  q: PublishStatements,
  tenantId: string,
  created: number,
  quota: { limit: number; periodStart: Date },
): Promise<number> {
  const [counted] = await q.countQuota.run(trx, [tenantId, quota.periodStart.getTime(), created, quota.limit]);
  if (!counted || Number(counted.used) > quota.limit) {
    throw new HeraldError('quota_exceeded', `The tenant's event quota of ${quota.limit} is used up for this period`, [{ limit: quota.limit }]);
  }
  return Number(counted.used);
}

const unique = <T>(values: T[]) => [...new Set(values)];
