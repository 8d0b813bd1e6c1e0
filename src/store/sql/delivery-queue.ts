import { sql, type Kysely, type Selectable } from 'kysely';
import type { AttemptRecord, ClaimRequest, DeliveryJob, DeliveryQueue, RecordOutcome } from '../store.js';
import { rescheduleEndpoints } from './endpoint-schedule.js';
import { nextTokenAt, tokensAt, wholeTokens } from './rate-bucket.js';
import { isLeased, isWaiting } from './statuses.js';
import type { StoreDialect } from './store-dialect.js';
import { toDelivery, toEndpoint, toEndpointSecrets, toEvent, toTenant } from './rows.js';
import type { Database } from './schema.js';

type DeliveryRow = Selectable<Database['deliveries']>;

/** How many endpoints one claim looks at at most; the rest wait for the next claim. */
export const ENDPOINTS_PER_CLAIM = 64;

export function deliveryQueue(db: Kysely<Database>, dialect: StoreDialect): DeliveryQueue {
  return {
    async claim(request) {
      const { jobs, rateLimitedUntil } = await dialect.transaction((trx) => claimInTransaction(trx, dialect, request));
      // Told after the commit, so the caller's timer aims at a schedule other workers can see.
      if (rateLimitedUntil !== null) request.onRateLimited?.(new Date(rateLimitedUntil));
      return jobs;
    },

    async claimOne(tenantId, deliveryId, now, leaseGraceMs) {
      return dialect.transaction(async (trx) => {
        const row = await trx
          .selectFrom('deliveries')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '=', deliveryId)
          .where('status', '!=', 'delivering')
          .executeTakeFirst();
        if (!row) return null;
        const jobs = await leaseAndLoad(trx, [row], now, leaseGraceMs);
        return jobs[0] ?? null;
      });
    },

    // Records arrive in batches (the engine's group commit): one transaction for all of them.
    // The endpoint rows are written last (health, then one reschedule per endpoint): on
    // PostgreSQL a row lock lasts till commit, and a batch taking its endpoints' locks at its
    // first record would hold them through every later statement, stalling publishes (markDue)
    // and other workers' records on those endpoints.
    record: (records) =>
      dialect.transaction(async (trx) => {
        const stored: Array<{ record: AttemptRecord; endpointId: string; tenantId: string } | null> = [];
        for (const record of records) stored.push(await storeAttempt(trx, record));
        // Endpoint rows in id order (a stable sort keeps each endpoint's records in order), as
        // markDue does, so two transactions never wait on each other's endpoints in a cycle.
        const disabled: Array<RecordOutcome['endpointDisabled']> = stored.map(() => null);
        const byEndpoint = stored.map((_, i) => i).sort((x, y) => (stored[x]?.endpointId ?? '').localeCompare(stored[y]?.endpointId ?? ''));
        for (const i of byEndpoint) {
          const entry = stored[i];
          if (!entry) continue;
          const endpointDisabled = await applyEndpointHealth(trx, entry.endpointId, entry.record, entry.record.now);
          if (endpointDisabled) disabled[i] = { ...endpointDisabled, tenantId: entry.tenantId };
        }
        const nextDue = new Map<string, number | null | undefined>();
        for (const id of unique(stored.flatMap((entry) => (entry ? [entry.endpointId] : []))).sort()) {
          nextDue.set(id, (await rescheduleEndpoints(trx, [id]))[0]);
        }
        return stored.map((entry, i): RecordOutcome => {
          if (!entry) return { endpointDisabled: null, moreDue: false }; // deleted while in flight: nothing to keep
          const due = nextDue.get(entry.endpointId);
          return { endpointDisabled: disabled[i]!, moreDue: due !== undefined && due !== null && due <= entry.record.now.getTime() };
        });
      }),

    async releaseExpiredLeases(now) {
      const released = await db
        .updateTable('deliveries')
        .set({ status: 'pending', next_attempt_at: now.getTime(), lease_expires_at: null })
        .where(isLeased)
        .where('lease_expires_at', '<=', now.getTime())
        .returning('endpoint_id')
        .execute();
      await rescheduleEndpoints(db, released.map((row) => row.endpoint_id));
      if (released.length > 0) await dialect.wake();
      return released.length;
    },

    async depth() {
      const row = await db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', 'in', ['pending', 'failed', 'delivering'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async nextDueAt() {
      const row = await db
        .selectFrom('endpoints')
        .select((eb) => eb.fn.min('next_due_at').as('at'))
        .where('status', '=', 'active')
        .executeTakeFirst();
      return row?.at == null ? null : new Date(Number(row.at));
    },

    async nextLeaseExpiry() {
      const row = await db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min('lease_expires_at').as('at'))
        .where(isLeased)
        .executeTakeFirst();
      return row?.at == null ? null : new Date(Number(row.at));
    },

    onWake: (listener) => dialect.onWake(listener),
    wake: () => dialect.wake(),
  };
}

/**
 * A claim schedules endpoints, not rows: it takes the endpoints whose work is due, earliest
 * first, and from each at most what its in-flight cap leaves free. A backlog of one endpoint
 * therefore costs the others nothing, and the cap holds across every worker because the
 * in-flight count is read from the table under the endpoint's row lock.
 */
async function claimInTransaction(
  trx: Kysely<Database>,
  dialect: StoreDialect,
  request: ClaimRequest,
): Promise<{ jobs: DeliveryJob[]; rateLimitedUntil: number | null }> {
  const now = request.now.getTime();
  const endpoints = await dialect
    .lockForClaim(
      trx
        .selectFrom('endpoints')
        .select(['id', 'rate_limit_per_second', 'rate_tokens', 'rate_refilled_at'])
        .where('status', '=', 'active')
        .where('next_due_at', '<=', now)
        .orderBy('next_due_at')
        .limit(dialect.endpointsPerClaim?.(request.limit) ?? ENDPOINTS_PER_CLAIM),
    )
    .execute();
  if (endpoints.length === 0) return { jobs: [], rateLimitedUntil: null };

  const inFlight = await countInFlight(trx, endpoints.map((e) => e.id), now);
  const perEndpointShare = Math.max(1, Math.ceil(request.limit / endpoints.length));
  const claimed: DeliveryRow[] = [];
  const atCap: string[] = [];
  const spentBuckets: Array<{ id: string; limit: number; tokens: number }> = [];
  for (const { id, rate_limit_per_second: rateLimit, rate_tokens, rate_refilled_at } of endpoints) {
    const free = request.maxInFlightPerEndpoint - (inFlight.get(id) ?? 0);
    const tokens = rateLimit === null ? Infinity : tokensAt({ limit: Number(rateLimit), tokens: rate_tokens, refilledAt: rate_refilled_at }, now);
    const room = Math.min(free, perEndpointShare, request.limit - claimed.length, wholeTokens(tokens));
    if (room <= 0) {
      if (free <= 0) atCap.push(id);
      else if (rateLimit !== null) spentBuckets.push({ id, limit: Number(rateLimit), tokens });
      continue;
    }
    const rows = await trx
      .selectFrom('deliveries')
      .selectAll()
      .where('endpoint_id', '=', id)
      .where(isWaiting)
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(room)
      .execute();
    claimed.push(...rows);
    if (rows.length === free) atCap.push(id);
    if (rateLimit !== null) spentBuckets.push({ id, limit: Number(rateLimit), tokens: tokens - rows.length });
  }

  const jobs = await leaseAndLoad(trx, claimed, request.now, request.leaseGraceMs);
  await rescheduleEndpoints(trx, endpoints.map((e) => e.id));
  // A full endpoint is looked at again when one of its attempts ends (record reschedules it),
  // or at the latest when its earliest lease runs out.
  if (atCap.length > 0) {
    await trx
      .updateTable('endpoints')
      .set({
        next_due_at: sql<number>`(select min(d.lease_expires_at) from deliveries d
          where d.endpoint_id = endpoints.id and d.status = 'delivering')`,
      })
      .where('id', 'in', atCap)
      .where('next_due_at', 'is not', null)
      .execute();
  }
  const rateLimitedUntil = await spendTokens(trx, spentBuckets, now);
  return { jobs, rateLimitedUntil };
}

/**
 * Stores what the claim left in each rate-limited endpoint's bucket. An endpoint that still
 * has due work but no whole token is put off until its next token: answers the earliest such
 * moment, so the caller's timer wakes then instead of claiming in vain.
 */
async function spendTokens(trx: Kysely<Database>, buckets: Array<{ id: string; limit: number; tokens: number }>, now: number): Promise<number | null> {
  let earliest: number | null = null;
  for (const { id, limit, tokens } of buckets) {
    const tokenAt = nextTokenAt(tokens, limit, now);
    await trx.updateTable('endpoints').set({ rate_tokens: tokens, rate_refilled_at: now }).where('id', '=', id).execute();
    if (tokenAt <= now) continue;
    const deferred = await trx
      .updateTable('endpoints')
      .set({ next_due_at: tokenAt })
      .where('id', '=', id)
      .where('next_due_at', 'is not', null)
      .where('next_due_at', '<', tokenAt)
      .returning('id')
      .executeTakeFirst();
    if (deferred) earliest = Math.min(earliest ?? tokenAt, tokenAt);
  }
  return earliest;
}

async function countInFlight(trx: Kysely<Database>, endpointIds: string[], now: number): Promise<Map<string, number>> {
  const rows = await trx
    .selectFrom('deliveries')
    .select(['endpoint_id', (eb) => eb.fn.countAll().as('n')])
    .where(isLeased)
    .where('endpoint_id', 'in', endpointIds)
    .where('lease_expires_at', '>', now)
    .groupBy('endpoint_id')
    .execute();
  return new Map(rows.map((row) => [row.endpoint_id, Number(row.n)]));
}

/** Marks the deliveries as leased and loads what their attempts need. */
async function leaseAndLoad(trx: Kysely<Database>, rows: DeliveryRow[], now: Date, leaseGraceMs: number): Promise<DeliveryJob[]> {
  if (rows.length === 0) return [];
  const [events, endpoints, tenants] = await Promise.all([
    trx.selectFrom('events').selectAll().where('id', 'in', rows.map((r) => r.event_id)).execute(),
    trx.selectFrom('endpoints').selectAll().where('id', 'in', unique(rows.map((r) => r.endpoint_id))).execute(),
    trx.selectFrom('tenants').selectAll().where('id', 'in', unique(rows.map((r) => r.tenant_id))).execute(),
  ]);
  const eventById = new Map(events.map((row) => [row.id, toEvent(row)]));
  const endpointById = new Map(endpoints.map((row) => [row.id, row]));
  const settingsByTenant = new Map(tenants.map((row) => [row.id, toTenant(row).settings]));

  // The lease follows the tenant's attempt timeout, so rows are leased in one update per tenant.
  const idsByLease = new Map<number, string[]>();
  const jobs = rows.map((row): DeliveryJob => {
    const settings = settingsByTenant.get(row.tenant_id)!;
    const lease = now.getTime() + settings.attemptTimeoutMs + leaseGraceMs;
    idsByLease.set(lease, [...(idsByLease.get(lease) ?? []), row.id]);
    const endpointRow = endpointById.get(row.endpoint_id)!;
    return {
      delivery: { ...toDelivery(row), status: 'delivering' },
      event: eventById.get(row.event_id)!,
      endpoint: toEndpoint(endpointRow),
      secrets: toEndpointSecrets(endpointRow),
      settings,
      attemptsInRun: Number(row.attempt_count) - Number(row.run_start),
    };
  });
  for (const [lease, ids] of idsByLease) {
    await trx.updateTable('deliveries').set({ status: 'delivering', lease_expires_at: lease }).where('id', 'in', ids).execute();
  }
  return jobs;
}

const unique = (values: string[]) => [...new Set(values)];

/** The delivery's new state and its attempt row; null when the delivery was deleted meanwhile. */
async function storeAttempt(trx: Kysely<Database>, record: AttemptRecord): Promise<{ record: AttemptRecord; endpointId: string; tenantId: string } | null> {
  const { attempt, verdict } = record;
  const delivery = await trx
    .updateTable('deliveries')
    .set({
      status: verdict.kind === 'retry' ? 'failed' : verdict.kind,
      attempt_count: attempt.number,
      last_attempt_at: attempt.startedAt.getTime(),
      next_attempt_at: verdict.kind === 'retry' ? verdict.at.getTime() : null,
      lease_expires_at: null,
    })
    .where('id', '=', record.deliveryId)
    .returning(['endpoint_id', 'tenant_id'])
    .executeTakeFirst();
  if (!delivery) return null;

  await trx
    .insertInto('attempts')
    .values({
      delivery_id: record.deliveryId,
      tenant_id: delivery.tenant_id,
      number: attempt.number,
      started_at: attempt.startedAt.getTime(),
      duration_ms: attempt.durationMs,
      status_code: attempt.statusCode,
      response_body: attempt.responseBody,
      error: attempt.error,
      request_headers: JSON.stringify(attempt.requestHeaders),
    })
    .execute();

  return { record, endpointId: delivery.endpoint_id, tenantId: delivery.tenant_id };
}

async function applyEndpointHealth(
  trx: Kysely<Database>,
  endpointId: string,
  record: AttemptRecord,
  now: Date,
): Promise<{ endpointId: string; reason: string } | null> {
  if (record.endpointHealth === 'ignore') return null;
  if (record.endpointHealth === 'success') {
    await trx.updateTable('endpoints').set({ consecutive_failures: 0 }).where('id', '=', endpointId).where('consecutive_failures', '!=', 0).execute();
    return null;
  }
  const row = await trx
    .updateTable('endpoints')
    .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
    .where('id', '=', endpointId)
    .returning(['consecutive_failures', 'status'])
    .executeTakeFirst();
  if (!row || row.status !== 'active') return null;
  const threshold = record.autoDisableAfterFailures;
  const reason =
    record.endpointHealth === 'gone'
      ? 'The endpoint answered 410 Gone'
      : threshold > 0 && Number(row.consecutive_failures) >= threshold
        ? `${row.consecutive_failures} consecutive failed attempts`
        : null;
  if (!reason) return null;
  await trx.updateTable('endpoints').set({ status: 'disabled', disabled_reason: reason, updated_at: now.getTime() }).where('id', '=', endpointId).execute();
  return { endpointId, reason };
}
