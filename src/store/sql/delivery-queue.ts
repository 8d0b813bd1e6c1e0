import type { Kysely } from 'kysely';
import { OPERATOR_TENANT_ID } from '../../domain/operational-event.js';
import type { TenantSettings } from '../../domain/tenant.js';
import type { AttemptRecord, ClaimRequest, DeliveryQueue } from '../store.js';
import { claimInTransaction, claimStatements, dueEndpointsCall, ENDPOINTS_PER_CLAIM, loadJobs, type ClaimOptions, type Claimed, type DueEndpointRow } from './claim.js';
import { NEXT_DUE, publishingTransaction, recheckStatement, rescheduleEndpoints } from './endpoint-schedule.js';
import { fixedStatement, isOneOf } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { recordInTransaction, recordStatements } from './record.js';
import { FAILING, isLeased, LEASED, WAITING } from './statuses.js';
import type { StoreDialect } from './store-dialect.js';
import type { Database } from './schema.js';

export { ENDPOINTS_PER_CLAIM };

export function deliveryQueue(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect): DeliveryQueue {
  const claim = claimStatements(kind);
  const record = recordStatements(kind);
  const liveness = livenessStatements(kind);
  const publishing = publishingTransaction(db, kind, dialect);
  // PostgreSQL only: on SQLite, one writer, nothing commits between a worker's read and its write (markDueStatements).
  const recheck = recheckStatement(kind, dialect.wakeNotice);
  const gauges = async () => {
    const deliveries = { pending: 0, failed: 0, delivering: 0 };
    const endpoints = { active: 0, failing: 0, disabled: 0, pending_verification: 0, verification_failed: 0 };
    for (const row of await liveness.gauges.run(db, [OPERATOR_TENANT_ID])) {
      const counts: Record<string, number> = row.kind === 'delivery' ? deliveries : endpoints;
      if (row.status in counts) counts[row.status] = Number(row.n);
    }
    // The waiting count holds the failed ones too (see the statement).
    deliveries.pending -= deliveries.failed;
    return { deliveries, endpoints };
  };
  const endpointsPerClaim = (request: ClaimRequest) => dialect.endpointsPerClaim?.(request.limit) ?? ENDPOINTS_PER_CLAIM;
  const claimNow = (trx: Kysely<Database>, request: ClaimRequest, options?: ClaimOptions) => claimInTransaction(trx, claim, request, endpointsPerClaim(request), options);
  /**
   * After the commit: looks at the settled endpoints again (recheckStatement), and wakes the
   * engine when that found work. Not awaited by the claim's caller: on PostgreSQL it is a round
   * trip, and the jobs waited for it, so at low rates (an endpoint left with nothing due after
   * almost every claim) every delivery went out a round trip later. Should it fail, the engine
   * is woken all the same: its next claim finds what the recheck would have.
   *
   * This store's next claim still waits for it (`rechecking`), as it did when the claim's caller
   * waited: a recheck whose update waits for a publish's schedule mark holds the endpoint's
   * tuple lock until it has looked again, and a claim meanwhile would pass the endpoint over
   * (SKIP LOCKED) and come back only at its retry timer. The next claim usually starts after
   * an attempt's round trip, by when the recheck is done.
   */
  let rechecking: Promise<unknown> = Promise.resolve();
  const recheckInBackground = (settled: string[], moreDue: () => void) => {
    if (kind !== 'postgres' || settled.length === 0) return;
    // What it finds wakes every worker (the recheck's own NOTIFY).
    const done = dialect.retry(() => recheck(db, settled)).then((found) => found && moreDue(), moreDue);
    rechecking = Promise.all([rechecking, done]);
  };
  // Told after the commit, so the caller's timer aims at a schedule other workers can see.
  const afterClaim = async (request: ClaimRequest, { moreDue, dueLaterAt, passedOver, leftToOthers }: Claimed) => {
    if (dueLaterAt !== null) request.onDueLater?.(new Date(dueLaterAt));
    if (passedOver.length > 0) request.onPassedOver?.(passedOver);
    if (leftToOthers.ids.length > 0) request.onLeftToOthers?.(leftToOthers.ids, new Date(leftToOthers.until));
    // The holder may have passed it over while this claim held it (claim.ts, stepsBack).
    if (leftToOthers.dueNow) await dialect.wake();
    if (moreDue) request.onMoreDue?.();
  };
  /**
   * Leases freed without an attempt (run out, a dead worker's, handed back): their endpoints are
   * rescheduled and the workers woken; answers how many. Their due times have passed, so this
   * only lowers next_due_at towards now and needs no barrier against publishes.
   */
  const dueAgain = async (released: Array<{ endpoint_id: string }>): Promise<number> => {
    await rescheduleEndpoints(db, released.map((row) => row.endpoint_id));
    if (released.length > 0) await dialect.wake();
    return released.length;
  };
  const recordThen = async (records: AttemptRecord[], next: ClaimRequest | null) => {
    if (next) await rechecking;
    // Publishing: the operational events an attempt causes are written with its record.
    const { recorded, claimed } = await publishing(async (trx) => {
      // PostgreSQL: the refill's first statement (the due endpoints, locked) travels with the
      // record's last write when the record's lock finds an endpoint held at its cap
      // (recordInTransaction), a round trip fewer in the cycle each endpoint's refill waits on.
      // With the claim's lease and schedule together (claim.ts), a record-and-refill took 5.6 and
      // 5.4 ms against 5.9 and 5.8, an attempt's wait for its record 9.0 and 9.0 against 10.0 and
      // 9.9 (p50s; npm run bench, pg-workers, 1 worker, --repeat 3, two alternated pairs, measured
      // with the rider's earlier, wider condition: 1,176 and 1,227/s against 1,109 and 1,197).
      const rider = next && kind === 'postgres' ? dueEndpointsCall(claim, next, endpointsPerClaim(next)) : null;
      const recorded = await recordInTransaction(trx, record, records, rider);
      const due = recorded.ridden as DueEndpointRow[] | null;
      // Otherwise a claim only when the record left work due now: else it would find nothing,
      // and on PostgreSQL its statements would hold the endpoint rows (and publishes' schedule
      // marks waiting on them) a few round trips longer (latency at 200/s: p99 70 → 100 ms).
      const wanted = due ? due.length > 0 : recorded.outcomes.some((outcome) => outcome.moreDue);
      // On the record's clock when it is later than the request's: the record's schedule may
      // have found work a publish committed after the request was made, and said so (moreDue).
      // A claim on the request's clock did not find that endpoint due, the outcomes' moreDue is
      // dropped below, and the endpoint was left due with no claim coming.
      const claimed = next && wanted ? await claimNow(trx, { ...next, now: new Date(Math.max(next.now.getTime(), recorded.clock)) }, { due: due ?? undefined }) : null;
      return { value: { recorded, claimed }, due: [recorded.due] };
    });
    // One recheck for what the record and its claim left settled.
    recheckInBackground([...new Set([...recorded.settled, ...(claimed?.settled ?? [])])], () => dialect.wakeHere());
    if (!next || !claimed) return { outcomes: recorded.outcomes, jobs: [] };
    await afterClaim(next, claimed);
    return { outcomes: recorded.outcomes.map((outcome) => ({ ...outcome, moreDue: false })), jobs: claimed.jobs };
  };
  return {
    async claim(request) {
      await rechecking;
      const claimed = await dialect.transaction((trx) => claimNow(trx, request, { alone: true }));
      recheckInBackground(claimed.settled, () => request.onMoreDue?.());
      await afterClaim(request, claimed);
      return claimed.jobs;
    },

    async claimOne(tenantId, deliveryId, now, leaseGraceMs, owner) {
      return dialect.transaction(async (trx) => {
        const tenant = await trx.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
        if (!tenant) return null;
        const settings = JSON.parse(tenant.settings) as TenantSettings;
        const row = await trx
          .updateTable('deliveries')
          .set({ status: 'delivering', lease_owner: owner, lease_expires_at: now.getTime() + settings.attemptTimeoutMs + leaseGraceMs })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', deliveryId)
          .where('status', '!=', 'delivering')
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        const endpoints = await trx.selectFrom('endpoints').selectAll().where('id', '=', row.endpoint_id).execute();
        const [job] = await loadJobs(trx, claim, [row], endpoints, new Map([[tenantId, settings]]));
        return job ?? null;
      });
    },

    async record(records) {
      return (await recordThen(records, null)).outcomes;
    },

    async recordAndClaim(records, next) {
      return recordThen(records, next);
    },

    async releaseExpiredLeases(now) {
      const released = await db
        .updateTable('deliveries')
        .set({ status: 'pending', next_attempt_at: now.getTime(), lease_expires_at: null, lease_owner: null })
        .where(isLeased)
        .where('lease_expires_at', '<=', now.getTime())
        .returning('endpoint_id')
        .execute();
      return dueAgain(released);
    },

    async handBack(deliveryIds, owner) {
      if (deliveryIds.length === 0) return 0;
      return dueAgain(await liveness.handBack.run(db, [owner, JSON.stringify(deliveryIds)]));
    },

    async heartbeat(workerId, now) {
      await liveness.beat.run(db, [workerId, now.getTime(), now.getTime()]);
    },

    async releaseLeasesOfDeadWorkers(staleBefore, now) {
      const released = await liveness.releaseDead.run(db, [now.getTime(), staleBefore.getTime()]);
      await liveness.forgetDead.run(db, [staleBefore.getTime()]);
      return dueAgain(released);
    },

    async retireWorker(workerId) {
      await db.deleteFrom('workers').where('id', '=', workerId).execute();
    },

    async repairSchedules() {
      const repaired = await liveness.repair.run(db, []);
      if (repaired.length > 0) await dialect.wake();
      return repaired.length;
    },

    async depth() {
      const { deliveries } = await gauges();
      return deliveries.pending + deliveries.failed + deliveries.delivering;
    },

    gauges,

    async nextDueAt(except = []) {
      let query = db
        .selectFrom('endpoints')
        .select((eb) => eb.fn.min('next_due_at').as('at'))
        .where('status', '=', 'active');
      if (except.length > 0) query = query.where('id', 'not in', except);
      const row = await query.executeTakeFirst();
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

/** The statements of worker liveness and of the safety sweep's schedule repair. */
function livenessStatements(kind: SqlDialect) {
  const waiting = `w.endpoint_id = endpoints.id and w.${WAITING}`;
  return {
    beat: fixedStatement(
      kind,
      `insert into workers (id, heartbeat_at, started_at) values (?, ?, ?)
       on conflict (id) do update set heartbeat_at = excluded.heartbeat_at`,
    ),
    // Reads deliveries_leased whole: the rows in flight across all workers, whatever the backlog (migration 0011).
    releaseDead: fixedStatement<{ endpoint_id: string }>(
      kind,
      `update deliveries set status = 'pending', next_attempt_at = ?, lease_expires_at = null, lease_owner = null
       where ${LEASED} and lease_owner in (select id from workers where heartbeat_at < ?)
       returning endpoint_id`,
    ),
    forgetDead: fixedStatement(kind, `delete from workers where heartbeat_at < ?`),
    // Never attempted since the lease, so the status it had before: failed after a failed attempt.
    handBack: fixedStatement<{ endpoint_id: string }>(
      kind,
      `update deliveries set status = case when attempt_count > 0 then 'failed' else 'pending' end, lease_expires_at = null, lease_owner = null
       where ${LEASED} and lease_owner = ? and ${isOneOf(kind, 'id')}
       returning endpoint_id`,
    ),
    // The gauges in one read: deliveries by queue status, each count from a partial index alone
    // (never the finished rows: statuses.ts), waiting ones as 'pending' (the caller takes the
    // failed back off); tenants' endpoints by status with the failing ones apart.
    gauges: fixedStatement<{ kind: string; status: string; n: number }>(
      kind,
      `select 'delivery' as kind, 'pending' as status, count(*) as n from deliveries where ${WAITING}
       union all
       select 'delivery' as kind, 'failed' as status, count(*) as n from deliveries where ${FAILING} and status = 'failed'
       union all
       select 'delivery' as kind, 'delivering' as status, count(*) as n from deliveries where ${LEASED}
       union all
       select 'endpoint' as kind, s.status, count(*) as n from (
         select case when status = 'active' and failing = 1 then 'failing' else status end as status from endpoints where tenant_id <> ?) as s
       group by s.status`,
    ),
    // One index probe or two per endpoint with waiting deliveries (deliveries_due), never a walk
    // of the backlog, nor of the endpoints with nothing waiting.
    repair: fixedStatement<{ id: string }>(kind, repairSchedules(kind, waiting)),
  };
}

/**
 * An unordered endpoint is behind when any waiting delivery is due before its next_due_at; a
 * FIFO endpoint only when its line's head is (NEXT_DUE): the others wait behind it anyway. A
 * held endpoint (migration 0010) with attempts in flight is not behind: their records
 * reschedule it. Only endpoints with waiting deliveries can be behind, and the recursive
 * `waiting_endpoints` finds them in deliveries_due one index probe each, skipping from one
 * endpoint id to the next. Before, the update tested every active endpoint: 487 ms on
 * PostgreSQL beside 20,000 idle endpoints (bench/sweep-cost.ts), at every sweep.
 *
 * On PostgreSQL the endpoints behind are locked first, in id order, skipping those anyone holds
 * (a record, a claim or a mark is scheduling them already; the next sweep looks again): the
 * update alone locked them in the order it met them, and with 1,000 endpoints waiting (the
 * bench's growth scenario) it deadlocked with a record, which locks its endpoints in id order.
 */
function repairSchedules(kind: SqlDialect, waiting: string): string {
  const nextWaiting = (after: string) => `(select d.endpoint_id from deliveries d where d.${WAITING}${after} order by d.endpoint_id limit 1)`;
  const behind = `status = 'active'
      and (held = 0 or not exists (select 1 from deliveries f where f.endpoint_id = endpoints.id and f.${LEASED}))
      and (
      (ordering <> 'fifo' and exists (select 1 from deliveries w where ${waiting}
        and (endpoints.next_due_at is null or w.next_attempt_at < endpoints.next_due_at)))
      or (ordering = 'fifo' and ${NEXT_DUE} < coalesce(endpoints.next_due_at, ${Number.MAX_SAFE_INTEGER})))`;
  const withWaiting = `with recursive waiting_endpoints(id) as (
      select ${nextWaiting('')}
      union all
      select ${nextWaiting(' and d.endpoint_id > waiting_endpoints.id')} from waiting_endpoints where waiting_endpoints.id is not null)`;
  const waitingIds = `(select id from waiting_endpoints where id is not null)`;
  const update = (ids: string) => `update endpoints set next_due_at = ${NEXT_DUE}, held = 0 where endpoints.id in ${ids} and ${behind} returning id`;
  if (kind === 'sqlite') return `${withWaiting} ${update(waitingIds)}`;
  return `${withWaiting},
    free as materialized (select id from endpoints where endpoints.id in ${waitingIds} and ${behind} order by id for no key update skip locked)
    ${update('(select id from free)')}`;
}
