import { OPERATOR_TENANT_ID } from '../../domain/operational-event.js';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { EndpointStatus } from '../../domain/endpoint.js';
import type { EndpointNeedingAttention, HealthQuery, HealthRepository, TenantHealth } from '../health.js';
import type { Database } from './schema.js';
import { FAILING, LEASED, statusIs, WAITING } from './statuses.js';

/** Endpoints named per tenant in `attention`: the worst few, the rest are in the counts. */
export const ATTENTION_PER_TENANT = 5;

/**
 * The operator's health page: one page of tenants and, for those tenants only, four grouped
 * reads (endpoints, the worst of them, unresolved deliveries, attempts in the window). Each
 * read is bounded by the page's tenants through an index: endpoints_by_tenant, the partial
 * indexes of deliveries, and from 0008 attempts_by_tenant_time and deliveries_tests. Nothing
 * is read of tenants off the page, whatever their number.
 */
export function healthRepository(db: Kysely<Database>): HealthRepository {
  return {
    async tenants(query, { limit, cursor }) {
      const tenants = await tenantPage(db, query, limit, cursor);
      const page = tenants.slice(0, limit);
      const ids = page.map((tenant) => tenant.id);
      const [endpoints, attention, deliveries, attempts] =
        ids.length === 0 ? [[], [], [], []] : await Promise.all([endpointCounts(db, ids), worstEndpoints(db, ids), unresolvedDeliveries(db, ids), attemptFigures(db, ids, query)]);
      const data = page.map((tenant): TenantHealth => ({
        tenantId: tenant.id,
        tenantName: tenant.name,
        endpoints: { total: 0, active: 0, disabled: 0, unverified: 0, failing: 0 },
        deliveries: { pending: 0, failed: 0, dead: 0 },
        attempts: { attempts: 0, succeeded: 0, avgLatencyMs: null, maxLatencyMs: null },
        attention: [],
      }));
      const of = new Map(data.map((row) => [row.tenantId, row]));
      for (const row of endpoints) {
        const counts = of.get(row.tenant_id)!.endpoints;
        const n = Number(row.n);
        counts.total += n;
        counts.failing += Number(row.failing);
        if (row.status === 'active') counts.active += n;
        else if (row.status === 'disabled') counts.disabled += n;
        else counts.unverified += n;
      }
      for (const row of attention) of.get(row.tenant_id)!.attention.push(toAttention(row));
      for (const row of deliveries) {
        const counts = of.get(row.tenant_id)!.deliveries;
        const kind = row.status === 'delivering' ? 'pending' : (row.status as keyof typeof counts);
        counts[kind] += Number(row.n);
      }
      for (const row of attempts) {
        of.get(row.tenant_id)!.attempts = {
          attempts: Number(row.n),
          succeeded: Number(row.succeeded),
          avgLatencyMs: Math.round(Number(row.avg_ms)),
          maxLatencyMs: Number(row.max_ms),
        };
      }
      return { data, nextCursor: tenants.length > limit ? page[page.length - 1]!.id : null };
    },
  };
}

/** `%text%` for LIKE, its own wildcards escaped (the statements say `escape '\'`). */
const containing = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Tenants in id order after `cursor`, one more than asked for (its presence says a next page exists). */
function tenantPage(db: Kysely<Database>, query: HealthQuery, limit: number, cursor: string | undefined) {
  // The operator's reserved tenant (its own endpoints) is not a customer: never listed here.
  let select = db.selectFrom('tenants as t').select(['t.id', 't.name']).where('t.id', '<>', OPERATOR_TENANT_ID).orderBy('t.id').limit(limit + 1);
  if (cursor) select = select.where('t.id', '>', cursor);
  const search = query.search?.trim();
  if (search) {
    const pattern = containing(search);
    select = select.where(({ or, exists, selectFrom }) =>
      or([
        sql<boolean>`lower(t.id) like ${pattern} escape '\\'`,
        sql<boolean>`lower(t.name) like ${pattern} escape '\\'`,
        exists(selectFrom('endpoints as e').select(sql`1`.as('one')).whereRef('e.tenant_id', '=', 't.id').where(sql<boolean>`lower(e.url) like ${pattern} escape '\\'`)),
      ]),
    );
  }
  if (query.attentionOnly) {
    select = select.where(({ exists, selectFrom }) =>
      exists(selectFrom('endpoints as e').select(sql`1`.as('one')).whereRef('e.tenant_id', '=', 't.id').where(needsAttention)),
    );
  }
  return select.execute();
}

/** Not active (disabled or unverified), or active and failing. */
const needsAttention = sql<boolean>`(e.status <> 'active' or e.consecutive_failures > 0)`;

function endpointCounts(db: Kysely<Database>, tenantIds: string[]) {
  return db
    .selectFrom('endpoints as e')
    .where('e.tenant_id', 'in', tenantIds)
    .select(['e.tenant_id', 'e.status', sql<number>`count(*)`.as('n'), sql<number>`sum(case when e.status = 'active' and e.consecutive_failures > 0 then 1 else 0 end)`.as('failing')])
    .groupBy(['e.tenant_id', 'e.status'])
    .execute();
}

/** Per tenant the few endpoints most in need of a look: disabled, then unverified, then the most failing. */
function worstEndpoints(db: Kysely<Database>, tenantIds: string[]) {
  const ranked = db
    .selectFrom('endpoints as e')
    .where('e.tenant_id', 'in', tenantIds)
    .where(needsAttention)
    .select([
      'e.id',
      'e.tenant_id',
      'e.url',
      'e.status',
      'e.disabled_reason',
      'e.consecutive_failures',
      sql<number>`row_number() over (partition by e.tenant_id order by case e.status when 'disabled' then 0 when 'active' then 2 else 1 end, e.consecutive_failures desc, e.id)`.as('rank'),
    ])
    .as('ranked');
  return db.selectFrom(ranked).selectAll().where('rank', '<=', ATTENTION_PER_TENANT).orderBy('tenant_id').orderBy('rank').execute();
}

const toAttention = (row: { id: string; url: string; status: string; disabled_reason: string | null; consecutive_failures: number }): EndpointNeedingAttention => ({
  id: row.id,
  url: row.url,
  status: row.status as EndpointStatus,
  disabledReason: row.disabled_reason,
  consecutiveFailures: Number(row.consecutive_failures),
});

const UNRESOLVED = sql<boolean>`d.status in ('pending', 'delivering', 'failed', 'dead')`;

/**
 * Waiting, failed (a retry is scheduled) and dead deliveries per tenant and status, test sends
 * aside, each from the page's endpoints' partial indexes alone (statuses.ts): every waiting one
 * (deliveries_due) counted as pending, those in flight (deliveries_leased) too, the failed and
 * dead (deliveries_failing) as themselves, each failed one taken back off pending; less the
 * tests (few, from deliveries_tests). Reading is_test of each row instead took 540 ms against
 * 30 ms for a page of busy tenants (SQLite).
 */
async function unresolvedDeliveries(db: Kysely<Database>, tenantIds: string[]) {
  const ofPage = (condition: RawBuilder<boolean>) =>
    db.selectFrom('endpoints as e').innerJoin('deliveries as d', 'd.endpoint_id', 'e.id').where('e.tenant_id', 'in', tenantIds).where(condition);
  const counted = sql<number>`count(*)`.as('n');
  const [waiting, inFlight, failing, tests] = await Promise.all([
    ofPage(statusIs(WAITING, 'd')).select(['e.tenant_id', sql<string>`'pending'`.as('status'), counted]).groupBy('e.tenant_id').execute(),
    ofPage(statusIs(LEASED, 'd')).select(['e.tenant_id', sql<string>`'pending'`.as('status'), counted]).groupBy('e.tenant_id').execute(),
    ofPage(statusIs(FAILING, 'd')).select(['e.tenant_id', 'd.status', counted]).groupBy(['e.tenant_id', 'd.status']).execute(),
    db
      .selectFrom('deliveries as d')
      .where('d.tenant_id', 'in', tenantIds)
      .where(isTest)
      .where(UNRESOLVED)
      .select(['d.tenant_id', 'd.status', counted])
      .groupBy(['d.tenant_id', 'd.status'])
      .execute(),
  ]);
  const failedOffPending = failing.filter((row) => row.status === 'failed').map((row) => ({ ...row, status: 'pending', n: -Number(row.n) }));
  return [...waiting, ...inFlight, ...failing, ...failedOffPending, ...tests.map((row) => ({ ...row, n: -Number(row.n) }))];
}

/** Literal, as deliveries_tests says it: a bound parameter would keep the planners off that index. */
const isTest = sql<boolean>`d.is_test = 1`;

/**
 * Attempts started in the window per tenant, test sends aside, from attempts_by_tenant_time
 * alone; the page's test deliveries are read once (deliveries_tests) rather than each
 * attempt's delivery row (SQLite, 240,000 attempts: 120 ms against 5.1 s; bench/health-query.ts).
 */
function attemptFigures(db: Kysely<Database>, tenantIds: string[], query: HealthQuery) {
  const tests = db.selectFrom('deliveries as d').select('d.id').where('d.tenant_id', 'in', tenantIds).where(isTest);
  return db
    .selectFrom('attempts as a')
    .where('a.tenant_id', 'in', tenantIds)
    .where('a.started_at', '>=', query.since.getTime())
    .where('a.started_at', '<', query.until.getTime())
    .where('a.delivery_id', 'not in', tests)
    .select([
      'a.tenant_id',
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(case when a.status_code >= 200 and a.status_code < 300 then 1 else 0 end)`.as('succeeded'),
      sql<number>`avg(a.duration_ms)`.as('avg_ms'),
      sql<number>`max(a.duration_ms)`.as('max_ms'),
    ])
    .groupBy('a.tenant_id')
    .execute();
}
