import type { Kysely, Selectable } from 'kysely';
import type { TenantSettings } from '../../domain/tenant.js';
import type { HeraldEvent } from '../../domain/event.js';
import type { ClaimRequest, DeliveryJob } from '../store.js';
import { NEXT_DUE } from './endpoint-schedule.js';
import { fixedStatement, isOneOf, jsonRows, keyedByFirstColumn, keyedParameters, rowByKey, runTogether, runTogetherThenCommit, type FixedStatement, type StatementCall } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { nextTokenAt, tokensAt, wholeTokens } from './rate-bucket.js';
import { toDelivery, toEndpoint, toEndpointSecrets, toEvent } from './rows.js';
import type { Database } from './schema.js';
import { LEASED, WAITING } from './statuses.js';

type EndpointRow = Selectable<Database['endpoints']>;
type DeliveryRow = Selectable<Database['deliveries']>;
/** An endpoint's schedule as the claim left it. */
type Rescheduled = { id: string; next_due_at: number | null; held: number };
type EventRow = Selectable<Database['events']>;
/**
 * A due endpoint as the claim locks it: its row, its tenant's settings, its attempts in flight
 * then; on PostgreSQL also the claimer's own (mine) and the latest lease end of the others' (see stepsBack).
 */
export type DueEndpointRow = EndpointRow & { tenant_settings: string; in_flight: number | string; mine?: number | string; others_leased_until?: number | string | null };
/** A leased delivery; on PostgreSQL its event's columns ride along (`ev_…`), saving a round trip. */
type LeasedRow = DeliveryRow & Partial<Record<`ev_${'id' | 'tenant_id' | 'type' | 'data' | 'idempotency_key' | 'trace_context' | 'seq' | 'created_at'}`, unknown>>;

/** How many endpoints one claim looks at at most; the rest wait for the next claim. */
export const ENDPOINTS_PER_CLAIM = 64;

/** Attempts to the endpoint of the row being updated (`endpoints`) in flight with a live lease. */
const inFlightOf = (endpoint: string, alsoWhere = '') =>
  `(select count(*) from deliveries flight where flight.endpoint_id = ${endpoint} and flight.${LEASED} and flight.lease_expires_at > ?${alsoWhere})`;

/**
 * What a claim that leases ahead (ClaimRequest.leaseAhead) needs beyond its waits and an attempt
 * timeout: a delivery leased k caps ahead waits at most k attempt timeouts for a slot (each
 * request of the caps before it ends within one), then takes one of its own, then is recorded;
 * its lease (timeout + grace) must cover all of it: k × timeout + this ≤ grace.
 */
const LEASE_AHEAD_RECORD_MS = 1_000;

/**
 * At most this many caps leased ahead. One cap moved an endpoint's deliveries in waves of its
 * cap, a record and a refill each; two let the engine's records gather across waves
 * (delivery-engine.ts, RECORD_GATHER_TARGET) with a cap still waiting behind the wave in flight.
 * Two alternated pairs of `npm run bench -- --scenario sqlite-batch`, SQLite's time under
 * bench/sql-profile.ts: 1,408 and 1,412 ms with one cap, 1,199 and 1,166 with two and gathering
 * (gathering alone, 1,170 ms, left the endpoint idle through each record: 0.20 × against 0.32).
 */
const LEASE_AHEAD_CAPS = 2;

/**
 * A claim is a fixed number of statements whatever its size (measured on the old per-endpoint
 * loop: 3 + 2 per endpoint + 1 per tenant), three on PostgreSQL between BEGIN and COMMIT, the
 * last two in one round trip (runTogether) unless a rate-limited endpoint spends tokens:
 *   1. the due endpoints, locked `for no key update skip locked` (whole rows: the jobs need
 *      them), with their tenants' settings and their attempts in flight;
 *   2. the deliveries, picked per endpoint (a LATERAL limit each, at most the endpoint's free
 *      slots counted again here) and leased, in one update that returns them with their events;
 *      when FIFO endpoints are due, one more update leases the head of each one's line (dueHead);
 *   3. the endpoints' new schedule and rate buckets, from one JSON parameter; an endpoint at its
 *      in-flight cap is counted here too.
 * The lock comes first, in a statement of its own, so every later statement reads a snapshot
 * taken after the lock. An endpoint left with nothing due now is read again after the commit
 * (recheckStatement in endpoint-schedule.ts), which catches a publish that committed while
 * this claim ran and found the endpoint already due. The in-flight count of
 * step 1 may be stale (PostgreSQL evaluates it in the snapshot from before the lock, when the
 * row it locks was changed meanwhile): it only shares the claim out; steps 2 and 3 count again,
 * in their own snapshots, and those counts decide. SQLite has no LATERAL: its step 2 is one
 * update of every endpoint's picks (leaseDue, a UNION ALL of per-endpoint LIMITs), plus one
 * update per FIFO line, and it reads the events apart.
 */
export function claimStatements(kind: SqlDialect) {
  // PostgreSQL also reads whose attempts are in flight: see stepsBack.
  const mine =
    kind === 'postgres'
      ? `, ${inFlightOf('endpoints.id', ' and flight.lease_owner = ?')} as mine,
         (select max(flight.lease_expires_at) from deliveries flight
          where flight.endpoint_id = endpoints.id and flight.${LEASED} and flight.lease_owner <> ?) as others_leased_until`
      : '';
  // PostgreSQL also leaves out the endpoints the claimer has left to others (ClaimRequest.leaveAlone).
  const notLeftAlone = kind === 'postgres' ? ` and not (${isOneOf(kind, 'endpoints.id')})` : '';
  const dueEndpoints = fixedStatement<DueEndpointRow>(
    kind,
    `select endpoints.*, t.settings as tenant_settings, ${inFlightOf('endpoints.id')} as in_flight${mine}
     from endpoints join tenants t on t.id = endpoints.tenant_id
     where endpoints.status = 'active' and endpoints.next_due_at <= ?${notLeftAlone} order by endpoints.next_due_at limit ?${
       kind === 'postgres' ? ' for no key update of endpoints skip locked' : ''
     }`,
  );
  // PostgreSQL: the due endpoints again, unlocked, read right behind the lock (see lockDueEndpoints).
  const dueIds = fixedStatement<{ id: string }>(kind, `select id from endpoints where status = 'active' and next_due_at <= ?${notLeftAlone} order by next_due_at limit ?`);
  const picks = jsonRows(kind, [
    ['endpoint_id', 'text'],
    ['take', 'integer'],
    ['lease', 'bigint'],
    ['cap', 'integer'],
    ['ahead', 'integer'],
  ]);
  // The lease, whatever its expiry is read from; the owner is always the statement's first parameter.
  const leaseSet = (expiry: string) => `status = 'delivering', lease_owner = ?, lease_expires_at = ${expiry}`;
  // An endpoint's due deliveries, oldest first.
  const dueOf = (endpoint: string, limit: string) =>
    `select id from deliveries where endpoint_id = ${endpoint} and ${WAITING} and next_attempt_at <= ? order by next_attempt_at limit ${limit}`;
  // PostgreSQL only.
  const withEvents = (leased: string) =>
    `with leased as (${leased})
     select leased.*, ${EVENT_COLUMNS.map((c) => `ev.${c} as ev_${c}`).join(', ')}
     from leased cross join ${rowByKey('events', 'leased.event_id')} as ev`;
  // PostgreSQL: every endpoint's picks and leases in one statement, with their events. The
  // in-flight counts are taken again here, in a snapshot from after the endpoint lock, and so is
  // whether another claimer holds leases of the endpoint: only a lone holder leases ahead.
  // The picked rows are updated only while still waiting, a check wrapped in a CASE so that the
  // planner cannot match it to deliveries_due: written plainly, it let the planner reach the rows
  // by walking that whole index, which statistics of a healthy table (no waiting row in
  // ANALYZE's sample) take for one row, and every lease of any endpoint then walked every waiting
  // delivery of all of them, the picks repeated for each (psql, 20,000 waiting for another
  // endpoint: 172 ms a lease, 2 ms wrapped). A parameter in its place is folded back into the
  // plain check in the first plans. Wrapped, the rows are reached by key, on a young table too.
  const others = inFlightOf('p.endpoint_id', ' and flight.lease_owner <> ?');
  const leaseCap = `p.cap + case when p.ahead > 0 and ${others} = 0 then p.ahead else 0 end`;
  const pickAndLease = fixedStatement<LeasedRow>(
    kind,
    withEvents(`update deliveries d set ${leaseSet('p.lease')}
       from (select w.id, p.lease from ${picks} as p cross join lateral (
               ${dueOf('p.endpoint_id', `greatest(0, least(p.take, ${leaseCap} - ${inFlightOf('p.endpoint_id')}))`)}) as w) as p
       where d.id = p.id and (case when d.${WAITING} then true end) returning d.*`),
  );
  const leaseHeads = fixedStatement<LeasedRow>(
    kind,
    withEvents(`update deliveries d set ${leaseSet('p.lease')} from (select w.id, p.lease from ${picks} as p cross join lateral (${dueHead('p.endpoint_id')}) as w) as p
     where d.id = p.id returning d.*`),
  );
  // SQLite has no LATERAL: one update leases every endpoint's picks, each endpoint's its own
  // LIMIT in a UNION ALL, so the text depends on how many endpoints the claim has (at most
  // ENDPOINTS_PER_CLAIM statements, each prepared once). It was one update per endpoint, and a
  // claim over 50 endpoints spent half of SQLite's time in them (87 µs each, for a row or two).
  // (A JSON list of picks in one text cost 130 µs against 90 for one endpoint's 8 rows.)
  const leaseDueByCount = new Map<number, FixedStatement<LeasedRow>>();
  const leaseDue = (endpoints: number): FixedStatement<LeasedRow> => {
    let statement = leaseDueByCount.get(endpoints);
    if (!statement) {
      const each = <T>(text: T) => Array.from({ length: endpoints }, () => text);
      const pick = `select id from (${dueOf('?', '?')})`;
      statement = fixedStatement<LeasedRow>(
        kind,
        `update deliveries set ${leaseSet(`(case endpoint_id ${each('when ? then ?').join(' ')} end)`)}
         where id in (${each(pick).join(' union all ')}) returning *`,
      );
      leaseDueByCount.set(endpoints, statement);
    }
    return statement;
  };
  const leaseHeadOfEndpoint = fixedStatement<LeasedRow>(
    kind,
    `update deliveries set ${leaseSet('?')} where id in (${dueHead('?')}) returning *`,
  );
  const events = fixedStatement<EventRow>(kind, `select * from events where ${isOneOf(kind, 'id')}`);
  // PostgreSQL: see ClaimOptions.alone.
  const commitWithoutFlush = fixedStatement(kind, `select set_config('synchronous_commit', 'off', true)`);
  const schedule = jsonRows(kind, [
    ['id', 'text'],
    ['limited', 'integer'],
    ['tokens', 'text'],
    ['token_at', 'bigint'],
    ['cap', 'integer'],
  ]);
  const waiting = NEXT_DUE;
  const leased = `(select min(l.lease_expires_at) from deliveries l where l.endpoint_id = endpoints.id and l.${LEASED})`;
  // A full endpoint is looked at again when one of its attempts ends (record reschedules it), or
  // at the latest when its earliest lease runs out; a rate-limited one when its next token comes.
  // Either way it is held (migration 0010): new work waits for that moment without a wake-up.
  const full = `${inFlightOf('endpoints.id')} >= s.cap`;
  const tokenLater = `s.token_at > ${waiting}`;
  const tokens = kind === 'postgres' ? 's.tokens::float8' : 'cast(s.tokens as real)';
  const reschedule = fixedStatement<Rescheduled>(
    kind,
    `update endpoints set
       next_due_at = case when ${waiting} is null then null when ${full} then ${leased} when ${tokenLater} then s.token_at else ${waiting} end,
       held = case when ${waiting} is null then 0 when ${full} or ${tokenLater} then 1 else 0 end,
       rate_tokens = case when s.limited = 1 then ${tokens} else endpoints.rate_tokens end,
       rate_refilled_at = case when s.limited = 1 then ? else endpoints.rate_refilled_at end
     from ${schedule} as s where endpoints.id = s.id${keyedByFirstColumn(kind, 'endpoints.id')} returning endpoints.id, endpoints.next_due_at, endpoints.held`,
  );
  return { kind, dueEndpoints, dueIds, pickAndLease, leaseHeads, leaseDue, leaseHeadOfEndpoint, events, reschedule, commitWithoutFlush };
}

const EVENT_COLUMNS = ['id', 'tenant_id', 'type', 'data', 'idempotency_key', 'trace_context', 'seq', 'created_at'] as const;

export type ClaimStatements = ReturnType<typeof claimStatements>;

/**
 * A FIFO endpoint's line is its waiting deliveries by event sequence (publish order), not by
 * next_attempt_at: a retry keeps its place at the front, holding back those behind it, and a
 * re-sent dead delivery goes back to where it was. Only the head may go, only once it is due,
 * and only while no attempt to the endpoint is in flight. In flight means any delivering row,
 * even one whose lease ran out: the sweep hands that back to the line first, so a line never
 * passes a delivery whose worker died mid-attempt. Test sends have no sequence and stand
 * outside the line (they go at once, by claimOne), but the line's next delivery waits for one
 * in flight, as for any attempt: a FIFO receiver gets a request at a time from Herald's side.
 * The claim's lock on the endpoint row serialises all this across workers: nothing else
 * leases a line delivery. One index probe for the head (deliveries_line), one for the
 * in-flight check (deliveries_leased): a scalar subquery, which PostgreSQL keeps as a probe
 * per head, where NOT EXISTS became an anti-join over every delivering row of every endpoint.
 */
function dueHead(endpoint: string): string {
  return `select due.id from (select head.id, head.endpoint_id, head.next_attempt_at from deliveries head
      where head.endpoint_id = ${endpoint} and head.${WAITING} and head.event_seq is not null
      order by head.event_seq limit 1) as due
    where due.next_attempt_at <= ?
      and (select 1 from deliveries flight where flight.endpoint_id = due.endpoint_id and flight.${LEASED} limit 1) is null`;
}

interface Plan {
  endpoint: EndpointRow;
  /** Its cap on requests in flight, and how many it may lease beyond it (ClaimRequest.leaseAhead). */
  cap: number;
  ahead: number;
  take: number;
  lease: number;
  limited: boolean;
  tokensLeft: number | null;
}

/** What a claim found: its jobs, whether it left work due now or later, and the endpoints it left with nothing due now. */
export interface Claimed {
  jobs: DeliveryJob[];
  moreDue: boolean;
  dueLaterAt: number | null;
  settled: string[];
  /** Due endpoints the claim passed over, their rows locked at that moment (see lockDueEndpoints). */
  passedOver: string[];
  /** Due endpoints the claim left to another worker (stepsBack), and until when; whether it left one of them due now. */
  leftToOthers: { ids: string[]; until: number; dueNow: boolean };
}

/** How recently another worker must have leased an endpoint's attempts to count as working on it. */
export const ACTIVE_HOLDER_MS = 1000;

/**
 * A claim leaves alone an endpoint of which other workers hold more attempts in flight than this
 * one, while they are working on it (one of them leased there within ACTIVE_HOLDER_MS): the
 * holder's own refills take the slots that free up, so one busy endpoint's work gathers on one
 * worker. Two workers splitting an endpoint's 16 slots record about four attempts a transaction
 * where one worker records eight (under npm run bench, 2 workers then ran at 60-73 % of 1).
 * Wake-up claims step back too: a worker that stepped back only at its refills drained, went
 * idle, and its idle claim took the slots again. A holder that died stops leasing, so after
 * ACTIVE_HOLDER_MS the others take its endpoint's free slots, and liveness frees its leases
 * (about 20 s). The lease times come from the holder's clock: hosts whose clocks differ by more
 * than ACTIVE_HOLDER_MS step back for longer, or not at all. PostgreSQL only: on SQLite one
 * process delivers.
 *
 * Only the claimer steps back: it is told (ClaimRequest.onLeftToOthers) and leaves the endpoint
 * out of its own claims and idle reads for ACTIVE_HOLDER_MS (leaveAlone), so it does not spin
 * claiming it again, while the endpoint stays due for the holder. It used to be put off for every
 * worker, the holder included, which then waited for its own records to bring it back: behind a
 * slow receiver a new delivery waited up to the whole second (the PostgreSQL store's race test
 * saw it in a third of its rounds). A claim that leaves the endpoint due now wakes the workers
 * (the store, after the commit): the holder, with requests of its own there, would otherwise
 * leave it to those requests' records, having passed it over while this claim held it.
 */
const stepsBack = (endpoint: DueEndpointRow, now: number, leaseSpanMs: number) => {
  if (endpoint.mine === undefined || endpoint.others_leased_until == null) return false;
  const mine = Number(endpoint.mine);
  const othersLeasedAt = Number(endpoint.others_leased_until) - leaseSpanMs;
  return Number(endpoint.in_flight) - mine > mine && othersLeasedAt > now - ACTIVE_HOLDER_MS;
};

/** A claim's first statement: the due endpoints, locked on PostgreSQL. */
export function dueEndpointsCall(q: ClaimStatements, request: ClaimRequest, endpointsPerClaim: number): StatementCall<DueEndpointRow> {
  const now = request.now.getTime();
  return [q.dueEndpoints, q.kind === 'postgres' ? [now, now, request.owner, request.owner, now, leftAlone(request), endpointsPerClaim] : [now, now, endpointsPerClaim]];
}

export interface ClaimOptions {
  /** The answer of dueEndpointsCall when the caller has already run it (a record sends it with its own last statement: recordInTransaction). */
  due?: DueEndpointRow[];
  /**
   * The claim is its transaction's only work. On PostgreSQL its COMMIT then returns without
   * waiting for the WAL to reach the disk (synchronous_commit off, for this transaction only):
   * a lease promises nothing to anyone outside Herald. Should the database server crash before
   * the WAL is flushed, the leases are lost and their deliveries are pending again, to be sent
   * again (at least once, as after any crash); the attempt's record, a durable commit, flushes
   * the claim's WAL before its own. The flush was on the way of every delivery at low rates
   * (a publish wakes a claim whose answer the attempt waits for).
   */
  alone?: boolean;
}

/**
 * Claims in the caller's transaction, and must be the last thing it does: on PostgreSQL a claim
 * that leases sends the transaction's COMMIT with its last statements (runTogetherThenCommit), a
 * round trip fewer for every claim and record-and-refill.
 */
export async function claimInTransaction(
  trx: Kysely<Database>,
  q: ClaimStatements,
  request: ClaimRequest,
  endpointsPerClaim: number,
  { due, alone = false }: ClaimOptions = {},
): Promise<Claimed> {
  const now = request.now.getTime();
  const started = performance.now();
  const { endpoints, passedOver } = due ? { endpoints: due, passedOver: [] } : await lockDueEndpoints(trx, q, request, endpointsPerClaim, alone);
  const deferUntil = now + ACTIVE_HOLDER_MS;
  const leftToOthers = { ids: [] as string[], until: deferUntil, dueNow: false };
  if (endpoints.length === 0) return { jobs: [], moreDue: false, dueLaterAt: null, settled: [], passedOver, leftToOthers };
  const settings = new Map(endpoints.map((row) => [row.tenant_id, JSON.parse(row.tenant_settings) as TenantSettings]));

  // Each endpoint gets at most an equal share of the claim, its free in-flight slots and its
  // whole rate tokens: one endpoint's backlog cannot crowd out the others.
  const share = Math.max(1, Math.ceil(request.limit / endpoints.length));
  let budget = request.limit;
  const leaseSpanOf = (endpoint: DueEndpointRow) => settings.get(endpoint.tenant_id)!.attemptTimeoutMs + request.leaseGraceMs;
  const steppedBack = new Set(endpoints.filter((endpoint) => stepsBack(endpoint, now, leaseSpanOf(endpoint))).map((endpoint) => endpoint.id));
  const plans: Plan[] = endpoints.map((endpoint) => {
    const cap = capOf(endpoint, request);
    const ahead = cap * capsAhead(endpoint, request, settings.get(endpoint.tenant_id)!);
    const free = cap + ahead - Number(endpoint.in_flight);
    const limit = endpoint.rate_limit_per_second === null ? null : Number(endpoint.rate_limit_per_second);
    const tokens = limit === null ? Infinity : tokensAt({ limit, tokens: endpoint.rate_tokens, refilledAt: endpoint.rate_refilled_at }, now);
    const line = endpoint.ordering === 'fifo' ? 1 : Infinity; // dueHead says whether its one may go
    const take = steppedBack.has(endpoint.id) ? 0 : Math.max(0, Math.min(free, line, share, budget, wholeTokens(tokens)));
    budget -= take;
    const lease = now + leaseSpanOf(endpoint);
    return { endpoint, cap, ahead, take, lease, limited: limit !== null, tokensLeft: limit === null ? null : tokens };
  });

  const scheduleRows = (taken: Map<string, number>) =>
    plans.map((plan) => {
      const left = plan.tokensLeft === null ? null : plan.tokensLeft - (taken.get(plan.endpoint.id) ?? 0);
      const tokenAt = left === null ? null : nextTokenAt(left, Number(plan.endpoint.rate_limit_per_second), now);
      const tokenLater = tokenAt !== null && tokenAt > now ? tokenAt : null;
      return [plan.endpoint.id, plan.limited ? 1 : 0, left === null ? null : String(left), tokenLater, plan.cap + plan.ahead] as const;
    });
  const rescheduleCall = (rows: ReturnType<typeof scheduleRows>): StatementCall<Rescheduled> => {
    const schedule = JSON.stringify(rows);
    return [q.reschedule, [now, now, now, schedule, ...keyedParameters(q.kind, schedule)]];
  };
  const leases = leaseCalls(q, plans, now, request);
  // The schedule depends on the leases only through the rate tokens they spent: without a
  // rate-limited endpoint leasing, both go together (PostgreSQL: one round trip for the two).
  const spendsTokens = plans.some((plan) => plan.limited && plan.take > 0);
  let rows: LeasedRow[];
  let schedule: ReturnType<typeof scheduleRows>;
  let rescheduled: Rescheduled[];
  if (spendsTokens) {
    rows = (await runTogether(trx, leases)).flat() as LeasedRow[];
    schedule = scheduleRows(countByEndpoint(rows));
    rescheduled = (await runTogetherThenCommit(trx, [rescheduleCall(schedule)]))[0] as Rescheduled[];
  } else {
    schedule = scheduleRows(new Map());
    const answers = await runTogetherThenCommit(trx, [...leases, rescheduleCall(schedule)]);
    rescheduled = answers.pop() as Rescheduled[];
    rows = answers.flat() as LeasedRow[];
  }
  let moreDue = rows.length > 0 && endpoints.length === endpointsPerClaim;
  const settled: string[] = [];
  let dueLaterAt: number | null = null;
  const tokenAtById = new Map(schedule.map((row) => [row[0], row[3]]));
  const planById = new Map(plans.map((plan) => [plan.endpoint.id, plan]));
  // Against `now` moved on by the time the claim took: work published meanwhile is due already.
  const clock = now + (performance.now() - started);
  for (const { id, next_due_at, held } of rescheduled) {
    // Come back when the holder may have stopped; not a schedule to check again after the commit.
    if (steppedBack.has(id)) {
      leftToOthers.ids.push(id);
      leftToOthers.dueNow ||= Number(held) === 0 && next_due_at !== null && Number(next_due_at) <= clock;
      dueLaterAt = Math.min(dueLaterAt ?? deferUntil, deferUntil);
      continue;
    }
    const tokenAt = tokenAtById.get(id);
    // Held for its next rate token, or (not held) due later: either way the claimer comes back then.
    if (tokenAt != null && next_due_at !== null && Number(next_due_at) === tokenAt) dueLaterAt = Math.min(dueLaterAt ?? tokenAt, tokenAt);
    if (next_due_at !== null && Number(next_due_at) <= clock) {
      const plan = planById.get(id)!;
      const missed = missedPublish(plan, held);
      if (rows.length > 0 || (missed && plan.endpoint.ordering !== 'fifo')) moreDue = true;
      else if (missed) dueLaterAt = Math.min(dueLaterAt ?? Infinity, clock + LINE_RECHECK_MS);
    }
    if (Number(held) === 0 && (next_due_at === null || Number(next_due_at) > clock)) {
      settled.push(id);
      if (next_due_at !== null) dueLaterAt = Math.min(dueLaterAt ?? Infinity, Number(next_due_at));
    }
  }

  return { jobs: await loadJobs(trx, q, rows, endpoints, settings), moreDue, dueLaterAt, settled, passedOver, leftToOthers };
}

/**
 * The claim's first statement and, on PostgreSQL, behind it in the same round trip, the due
 * endpoints read without locking: those missing from the first were passed over. SKIP LOCKED
 * passes over a row whose lock anyone holds or waits for, and not only claimers and records,
 * which schedule what they hold: a publish's schedule mark waiting for the row holds its tuple
 * lock while it waits, then may find the endpoint already due (a worker's recheck made it so) and
 * change nothing. The claim that recheck woke had passed the endpoint over, and no one else was
 * coming: under npm run bench's latency scenario (200 events/s) the publishes after it, their
 * marks finding the endpoint due, woke no one, and 20-odd deliveries at a time waited for the
 * engine's next idle claim, a few times a run. The caller claims again a moment later
 * (ClaimRequest.onPassedOver).
 */
async function lockDueEndpoints(
  trx: Kysely<Database>,
  q: ClaimStatements,
  request: ClaimRequest,
  endpointsPerClaim: number,
  alone: boolean,
): Promise<{ endpoints: DueEndpointRow[]; passedOver: string[] }> {
  const lock = dueEndpointsCall(q, request, endpointsPerClaim);
  if (q.kind === 'sqlite') return { endpoints: (await lock[0].run(trx, lock[1])) as DueEndpointRow[], passedOver: [] };
  const calls: StatementCall[] = [lock, [q.dueIds, [request.now.getTime(), leftAlone(request), endpointsPerClaim]]];
  const answers = await runTogether(trx, alone ? [[q.commitWithoutFlush, []], ...calls] : calls);
  const [endpoints, due] = answers.slice(-2) as [DueEndpointRow[], Array<{ id: string }>];
  const locked = new Set(endpoints.map((endpoint) => endpoint.id));
  return { endpoints, passedOver: due.map((row) => row.id).filter((id) => !locked.has(id)) };
}

/** PostgreSQL: the parameter of the endpoints a claim leaves alone (ClaimRequest.leaveAlone). */
const leftAlone = (request: ClaimRequest): string => JSON.stringify(request.leaveAlone ?? []);

/** The statements that lease the plans' deliveries: every unordered endpoint's in one, each FIFO line's head. */
function leaseCalls(q: ClaimStatements, plans: Plan[], now: number, request: ClaimRequest): Array<StatementCall<LeasedRow>> {
  const wanted = plans.filter((plan) => plan.take > 0);
  const lines = wanted.filter((plan) => plan.endpoint.ordering === 'fifo');
  const unordered = lines.length === 0 ? wanted : wanted.filter((plan) => plan.endpoint.ordering !== 'fifo');
  const leases = (of: Plan[]) => JSON.stringify(of.map((p) => [p.endpoint.id, p.take, p.lease, p.cap, p.ahead]));
  const { owner } = request;
  const calls: Array<StatementCall<LeasedRow>> = [];
  if (q.kind === 'postgres') {
    if (unordered.length > 0) calls.push([q.pickAndLease, [owner, leases(unordered), now, now, owner, now]]);
    if (lines.length > 0) calls.push([q.leaseHeads, [owner, leases(lines), now]]);
    return calls;
  }
  const expiries = unordered.flatMap((plan) => [plan.endpoint.id, plan.lease]);
  const picks = unordered.flatMap((plan) => [plan.endpoint.id, now, plan.take]);
  if (unordered.length > 0) calls.push([q.leaseDue(unordered.length), [owner, ...expiries, ...picks]]);
  for (const plan of lines) calls.push([q.leaseHeadOfEndpoint, [owner, plan.lease, plan.endpoint.id, now]]);
  return calls;
}

/**
 * An endpoint the claim meant to take from, leased nothing from, and rescheduled due now: a
 * publish committed between the lease and the schedule (on PostgreSQL each statement reads its
 * own snapshot), and its schedule mark, finding the endpoint due or locked by this claim, woke no
 * one. The caller claims again: at once, or for a FIFO line LINE_RECHECK_MS later, after a sweep
 * (the engine's timer), since a line whose attempt in flight has an expired lease is due at that
 * lease's end, and claiming again finds nothing until the sweep frees it.
 */
const missedPublish = (plan: Plan, held: number | string): boolean => plan.take > 0 && Number(held) === 0;
const LINE_RECHECK_MS = 50;

/** An endpoint's own cap on requests in flight, or the server's. */
const capOf = (endpoint: EndpointRow, request: ClaimRequest): number =>
  endpoint.max_in_flight === null ? request.maxInFlightPerEndpoint : Number(endpoint.max_in_flight);

/**
 * How many caps the claim may lease ahead of the endpoint's cap (ClaimRequest.leaseAhead): none
 * for an endpoint in trouble (a failed attempt since its last success: it gets its cap and no
 * more), a FIFO line (one at a time, recorded before the next), a rate-limited endpoint (its
 * tokens are spent at the lease), or, on PostgreSQL, when the first statement saw another
 * claimer's leases (pickAndLease checks that again after the lock); else as many as the lease
 * covers (LEASE_AHEAD_RECORD_MS), at most LEASE_AHEAD_CAPS.
 */
const capsAhead = (endpoint: DueEndpointRow, request: ClaimRequest, settings: TenantSettings): number => {
  const mayLeaseAhead =
    request.leaseAhead === true &&
    Number(endpoint.consecutive_failures) === 0 &&
    endpoint.ordering !== 'fifo' &&
    endpoint.rate_limit_per_second === null &&
    (endpoint.mine === undefined || Number(endpoint.in_flight) === Number(endpoint.mine));
  if (!mayLeaseAhead) return 0;
  const covered = Math.floor((request.leaseGraceMs - LEASE_AHEAD_RECORD_MS) / settings.attemptTimeoutMs);
  return Math.max(0, Math.min(LEASE_AHEAD_CAPS, covered));
};

const countByEndpoint = (rows: LeasedRow[]): Map<string, number> => {
  const taken = new Map<string, number>();
  for (const row of rows) taken.set(row.endpoint_id, (taken.get(row.endpoint_id) ?? 0) + 1);
  return taken;
};

/** Everything an attempt needs: the endpoint rows and settings came with the lock, the events with the lease (PostgreSQL) or in one read. */
export async function loadJobs(
  trx: Kysely<Database>,
  q: ClaimStatements,
  rows: LeasedRow[],
  endpoints: EndpointRow[],
  settings: Map<string, TenantSettings>,
): Promise<DeliveryJob[]> {
  if (rows.length === 0) return [];
  const events = new Map<string, HeraldEvent>();
  const unread = rows.filter((row) => row.ev_id === undefined);
  for (const row of rows) if (row.ev_id !== undefined && !events.has(row.event_id)) events.set(row.event_id, toEvent(eventColumns(row)));
  if (unread.length > 0) {
    for (const event of await q.events.run(trx, [JSON.stringify([...new Set(unread.map((r) => r.event_id))])])) events.set(event.id, toEvent(event));
  }
  // Read once per endpoint, shared by its jobs (nothing downstream changes them).
  const endpointById = new Map(endpoints.map((row) => [row.id, { endpoint: toEndpoint(row), secrets: toEndpointSecrets(row) }]));
  return rows.map((row): DeliveryJob => {
    const { endpoint, secrets } = endpointById.get(row.endpoint_id)!;
    return {
      delivery: toDelivery(row),
      event: events.get(row.event_id)!,
      endpoint,
      secrets,
      settings: settings.get(row.tenant_id)!,
      attemptsInRun: Number(row.attempt_count) - Number(row.run_start),
      leasedUntil: Number(row.lease_expires_at),
    };
  });
}

/** The event columns a PostgreSQL lease returned beside its delivery, as an events row. */
const eventColumns = (row: LeasedRow) => Object.fromEntries(EVENT_COLUMNS.map((c) => [c, row[`ev_${c}`]])) as unknown as EventRow;
