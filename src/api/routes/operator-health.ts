import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { TenantHealth } from '../../store/health.js';
import type { ApiContext } from '../context.js';
import { OutcomeChart, outcomeChart } from '../outcome-chart.js';
import { PageQuery, Slug } from '../schemas.js';
import { StatsRangeFields, StatsRangeQuery, statsRange } from '../stats-range.js';

const Count = Type.Integer({ minimum: 0 });
const Latency = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

const TenantHealthItem = Type.Object({
  tenant: Type.Object({ id: Type.String(), name: Type.String() }),
  endpoints: Type.Object(
    { total: Count, active: Count, disabled: Count, unverified: Count, failing: Count },
    { description: '`unverified`: awaiting or failed verification; `failing`: active with consecutive failed attempts' },
  ),
  deliveries: Type.Object(
    { pending: Count, failed: Count, dead: Count },
    { description: 'Deliveries now waiting (`pending`, in flight included), failed with a retry scheduled, and dead; test sends excluded' },
  ),
  attempts: Type.Object(
    {
      attempts: Count,
      succeeded: Count,
      successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'succeeded / attempts; null without attempts' }),
      avgLatencyMs: Latency,
      maxLatencyMs: Latency,
    },
    { description: 'Attempts started in [from, to), test sends excluded' },
  ),
  attention: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      status: Type.String(),
      disabledReason: Type.Union([Type.String(), Type.Null()]),
      consecutiveFailures: Count,
    }),
    { description: 'Up to five endpoints that need a look: disabled first, then unverified, then the most failing' },
  ),
});

const OperatorHealth = Type.Object({
  ...StatsRangeFields,
  outcomes: Type.Union([OutcomeChart, Type.Null()], { description: 'All tenants’ deliveries by outcome over the range: on the first page only (no cursor), else null' }),
  data: Type.Array(TenantHealthItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const HealthQuery = Type.Object({
  ...StatsRangeQuery.properties,
  search: Type.Optional(Type.String({ maxLength: 200, description: 'Part of a tenant id or name, or of one of its endpoint URLs; case is ignored' })),
  attention: Type.Optional(Type.Boolean({ description: 'Only tenants with an endpoint that is disabled, unverified or failing' })),
  limit: PageQuery.properties.limit,
  cursor: Type.Optional(Type.String({ pattern: Slug.pattern, description: 'The nextCursor of the previous page' })),
});

/**
 * The operator's health page in one request: a page of tenants (searchable, in id order), each
 * with its endpoints by state, its unresolved deliveries and its attempts over the range, read
 * for the page's tenants only (store.health); the first page adds the all-tenant outcome chart.
 */
export const operatorHealthRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/operator/health',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['Deliveries'],
        summary: 'Delivery health of a page of tenants (hourly chart up to 48 h, else daily; default: the last 24 h)',
        querystring: HealthQuery,
        response: { 200: OperatorHealth },
      },
    },
    async (request) => {
      const { search, attention, limit = 50, cursor } = request.query;
      const range = statsRange(request.query);
      const [page, outcomes] = await Promise.all([
        ctx.store.health.tenants({ search, attentionOnly: attention, since: range.from, until: range.to }, { limit, cursor }),
        cursor ? null : outcomeChart(ctx.store, range),
      ]);
      return { ...range.fields, outcomes, data: page.data.map(presentTenantHealth), nextCursor: page.nextCursor };
    },
  );
};

const presentTenantHealth = (row: TenantHealth) => ({
  tenant: { id: row.tenantId, name: row.tenantName },
  endpoints: row.endpoints,
  deliveries: row.deliveries,
  attempts: { ...row.attempts, successRate: row.attempts.attempts > 0 ? row.attempts.succeeded / row.attempts.attempts : null },
  attention: row.attention,
});
