import type { Kysely, Selectable } from 'kysely';
import type { TenantSettings } from '../../domain/tenant.js';
import type { ClaimRequest, DeliveryJob } from '../store.js';
import { NEXT_DUE } from './endpoint-schedule.js';
import { fixedStatement, jsonRows, jsonTexts } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { nextTokenAt, tokensAt, wholeTokens } from './rate-bucket.js';
import { toDelivery, toEndpoint, toEndpointSecrets, toEvent } from './rows.js';
import type { Database } from './schema.js';

type EndpointRow = Selectable<Database['endpoints']>;
type DeliveryRow = Selectable<Database['deliveries']>;

/** How many endpoints one claim looks at at most; the rest wait for the next claim. */
export const ENDPOINTS_PER_CLAIM = 64;

/**
 * A claim is a fixed number of statements whatever its size (measured on the old per-endpoint
 * loop: 3 + 2 per endpoint + 1 per tenant). On PostgreSQL:
 *   1. the due endpoints, locked `for no key update skip locked` (whole rows: the jobs need them);
 *   2. their in-flight counts and their tenants' settings, in one read;
 *   3. the deliveries, picked per endpoint (a LATERAL limit each) and leased, in one update;
 *      when FIFO endpoints are due, one more update leases the head of each one's line (dueHead);
 *   4. the leased deliveries' events;
 *   5. the endpoints' new schedule and rate buckets, from one JSON parameter.
 * The lock comes first, in a statement of its own, so every later statement reads a snapshot
 * taken after the lock: a publish that committed before it is seen, and one committing after
 * it waits for this transaction at its schedule mark, then lowers what this claim wrote if
 * its work is due sooner (markDueStatements in endpoint-schedule.ts). SQLite cannot
 * LIMIT per outer row, so its step 3 picks per endpoint (cached statements, no round trips).
 */
export function claimStatements(kind: SqlDialect) {
  const dueEndpoints = fixedStatement<EndpointRow>(
    kind,
    `select * from endpoints where status = 'active' and next_due_at <= ? order by next_due_at limit ?${
      kind === 'postgres' ? ' for no key update skip locked' : ''
    }`,
  );
  const ids = jsonTexts(kind);
  const inFlightAndSettings = fixedStatement<{ kind: string; id: string; n: number | null; settings: string | null }>(
    kind,
    `select 'endpoint' as kind, endpoint_id as id, count(*) as n, null as settings from deliveries
       where status = 'delivering' and endpoint_id in ${ids} and lease_expires_at > ? group by endpoint_id
     union all
     select 'tenant' as kind, id, null as n, settings from tenants where id in ${ids}`,
  );
  const picks = jsonRows(kind, [
    ['endpoint_id', 'text'],
    ['take', 'integer'],
    ['lease', 'bigint'],
  ]);
  const leaseSet = `status = 'delivering', lease_owner = ?, lease_expires_at = p.lease`;
  const pickAndLease = fixedStatement<DeliveryRow>(
    kind,
    kind === 'postgres'
      ? `update deliveries d set status = 'delivering', lease_owner = ?, lease_expires_at = p.lease
         from (select w.id, p.lease from ${picks} as p cross join lateral (
                 select id from deliveries where endpoint_id = p.endpoint_id and status in ('pending', 'failed') and next_attempt_at <= ?
                 order by next_attempt_at limit p.take) as w) as p
         where d.id = p.id returning d.*`
      : `with p as ${picks}
         update deliveries set status = 'delivering', lease_owner = ?,
           lease_expires_at = (select lease from p where p.endpoint_id = deliveries.endpoint_id)
         where id in ${ids} returning *`,
  );
  // SQLite's step 3a: one endpoint's due deliveries, oldest first.
  const dueOfEndpoint = fixedStatement<{ id: string }>(
    kind,
    `select id from deliveries where endpoint_id = ? and status in ('pending', 'failed') and next_attempt_at <= ? order by next_attempt_at limit ?`,
  );
  const leaseHeads = fixedStatement<DeliveryRow>(
    kind,
    `update deliveries d set ${leaseSet} from (select w.id, p.lease from ${picks} as p cross join lateral (${dueHead('p.endpoint_id')}) as w) as p
     where d.id = p.id returning d.*`,
  );
  // SQLite's step 3a for a FIFO endpoint: its head, when it may go.
  const headOfEndpoint = fixedStatement<{ id: string }>(kind, dueHead('?'));
  const events = fixedStatement<Selectable<Database['events']>>(kind, `select * from events where id in ${ids}`);
  const schedule = jsonRows(kind, [
    ['id', 'text'],
    ['at_cap', 'integer'],
    ['limited', 'integer'],
    ['tokens', 'text'],
    ['token_at', 'bigint'],
  ]);
  const waiting = NEXT_DUE;
  const leased = `(select min(l.lease_expires_at) from deliveries l where l.endpoint_id = endpoints.id and l.status = 'delivering')`;
  // A full endpoint is looked at again when one of its attempts ends (record reschedules it), or
  // at the latest when its earliest lease runs out; a rate-limited one when its next token comes.
  const nextDue = `case when ${waiting} is null then null
      when s.at_cap = 1 then ${leased}
      when s.token_at > ${waiting} then s.token_at
      else ${waiting} end`;
  const tokens = kind === 'postgres' ? 's.tokens::float8' : 'cast(s.tokens as real)';
  const reschedule = fixedStatement<{ id: string; next_due_at: number | null }>(
    kind,
    `update endpoints set next_due_at = ${nextDue},
       rate_tokens = case when s.limited = 1 then ${tokens} else endpoints.rate_tokens end,
       rate_refilled_at = case when s.limited = 1 then ? else endpoints.rate_refilled_at end
     from ${schedule} as s where endpoints.id = s.id returning endpoints.id, endpoints.next_due_at`,
  );
  return { kind, dueEndpoints, inFlightAndSettings, pickAndLease, dueOfEndpoint, leaseHeads, headOfEndpoint, events, reschedule };
}

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
      where head.endpoint_id = ${endpoint} and head.status in ('pending', 'failed') and head.event_seq is not null
      order by head.event_seq limit 1) as due
    where due.next_attempt_at <= ?
      and (select 1 from deliveries flight where flight.endpoint_id = due.endpoint_id and flight.status = 'delivering' limit 1) is null`;
}

interface Plan {
  endpoint: EndpointRow;
  take: number;
  lease: number;
  atCap: boolean;
  limited: boolean;
  tokensLeft: number | null;
}

export async function claimInTransaction(
  trx: Kysely<Database>,
  q: ClaimStatements,
  request: ClaimRequest,
  endpointsPerClaim: number,
): Promise<{ jobs: DeliveryJob[]; rateLimitedUntil: number | null }> {
  const now = request.now.getTime();
  const endpoints = await q.dueEndpoints.run(trx, [now, endpointsPerClaim]);
  if (endpoints.length === 0) return { jobs: [], rateLimitedUntil: null };

  const inFlight = new Map<string, number>();
  const settings = new Map<string, TenantSettings>();
  const tenantIds = [...new Set(endpoints.map((e) => e.tenant_id))];
  for (const row of await q.inFlightAndSettings.run(trx, [JSON.stringify(endpoints.map((e) => e.id)), now, JSON.stringify(tenantIds)])) {
    if (row.kind === 'endpoint') inFlight.set(row.id, Number(row.n));
    else settings.set(row.id, JSON.parse(row.settings!) as TenantSettings);
  }

  // Each endpoint gets at most an equal share of the claim, its free in-flight slots and its
  // whole rate tokens: one endpoint's backlog cannot crowd out the others.
  const share = Math.max(1, Math.ceil(request.limit / endpoints.length));
  let budget = request.limit;
  const plans: Plan[] = endpoints.map((endpoint) => {
    const free = request.maxInFlightPerEndpoint - (inFlight.get(endpoint.id) ?? 0);
    const limit = endpoint.rate_limit_per_second === null ? null : Number(endpoint.rate_limit_per_second);
    const tokens = limit === null ? Infinity : tokensAt({ limit, tokens: endpoint.rate_tokens, refilledAt: endpoint.rate_refilled_at }, now);
    const line = endpoint.ordering === 'fifo' ? 1 : Infinity; // dueHead says whether its one may go
    const take = Math.max(0, Math.min(free, line, share, budget, wholeTokens(tokens)));
    budget -= take;
    const lease = now + settings.get(endpoint.tenant_id)!.attemptTimeoutMs + request.leaseGraceMs;
    return { endpoint, take, lease, atCap: free <= 0, limited: limit !== null, tokensLeft: limit === null ? null : tokens };
  });

  const rows = await pickAndLease(trx, q, plans, now, request.owner);
  const taken = new Map<string, number>();
  for (const row of rows) taken.set(row.endpoint_id, (taken.get(row.endpoint_id) ?? 0) + 1);

  const scheduleRows = plans.map((plan) => {
    const got = taken.get(plan.endpoint.id) ?? 0;
    const atCap = plan.atCap || (got > 0 && got === request.maxInFlightPerEndpoint - (inFlight.get(plan.endpoint.id) ?? 0));
    const left = plan.tokensLeft === null ? null : plan.tokensLeft - got;
    const limit = Number(plan.endpoint.rate_limit_per_second);
    const tokenAt = left === null ? null : nextTokenAt(left, limit, now);
    return [plan.endpoint.id, atCap ? 1 : 0, plan.limited ? 1 : 0, left === null ? null : String(left), tokenAt !== null && tokenAt > now ? tokenAt : null];
  });
  let rateLimitedUntil: number | null = null;
  const tokenAtById = new Map(scheduleRows.map((row) => [row[0] as string, row[4] as number | null]));
  for (const { id, next_due_at } of await q.reschedule.run(trx, [now, JSON.stringify(scheduleRows)])) {
    const tokenAt = tokenAtById.get(id);
    if (tokenAt != null && next_due_at !== null && Number(next_due_at) === tokenAt) rateLimitedUntil = Math.min(rateLimitedUntil ?? tokenAt, tokenAt);
  }

  return { jobs: await loadJobs(trx, q, rows, endpoints, settings), rateLimitedUntil };
}

async function pickAndLease(trx: Kysely<Database>, q: ClaimStatements, plans: Plan[], now: number, owner: string): Promise<DeliveryRow[]> {
  const wanted = plans.filter((plan) => plan.take > 0);
  if (wanted.length === 0) return [];
  const lines = wanted.filter((plan) => plan.endpoint.ordering === 'fifo');
  const unordered = lines.length === 0 ? wanted : wanted.filter((plan) => plan.endpoint.ordering !== 'fifo');
  const leases = (of: Plan[]) => JSON.stringify(of.map((p) => [p.endpoint.id, p.take, p.lease]));
  if (q.kind === 'postgres') {
    const rows = unordered.length > 0 ? await q.pickAndLease.run(trx, [owner, leases(unordered), now]) : [];
    return lines.length > 0 ? rows.concat(await q.leaseHeads.run(trx, [owner, leases(lines), now])) : rows;
  }
  const ids: string[] = [];
  for (const plan of unordered) for (const { id } of await q.dueOfEndpoint.run(trx, [plan.endpoint.id, now, plan.take])) ids.push(id);
  for (const plan of lines) for (const { id } of await q.headOfEndpoint.run(trx, [plan.endpoint.id, now])) ids.push(id);
  if (ids.length === 0) return [];
  // SQLite has no LATERAL: the leases ride along as a CTE the update reads per row.
  return q.pickAndLease.run(trx, [leases(wanted), owner, JSON.stringify(ids)]);
}

/** Everything an attempt needs: the endpoint rows came with the lock, the settings with the counts. */
export async function loadJobs(
  trx: Kysely<Database>,
  q: ClaimStatements,
  rows: DeliveryRow[],
  endpoints: EndpointRow[],
  settings: Map<string, TenantSettings>,
): Promise<DeliveryJob[]> {
  if (rows.length === 0) return [];
  const events = new Map((await q.events.run(trx, [JSON.stringify([...new Set(rows.map((r) => r.event_id))])])).map((row) => [row.id, toEvent(row)]));
  const endpointById = new Map(endpoints.map((row) => [row.id, row]));
  return rows.map((row): DeliveryJob => {
    const endpoint = endpointById.get(row.endpoint_id)!;
    return {
      delivery: toDelivery(row),
      event: events.get(row.event_id)!,
      endpoint: toEndpoint(endpoint),
      secrets: toEndpointSecrets(endpoint),
      settings: settings.get(row.tenant_id)!,
      attemptsInRun: Number(row.attempt_count) - Number(row.run_start),
    };
  });
}
