import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.js';
import { tenantOf } from '../plugins/auth.js';
import { enterScope, TENANT_SCOPE, type RouteScope } from '../route-scope.js';
import { StatsRangeFields, StatsRangeQuery, statsRange } from '../stats-range.js';

const Figures = {
  attempts: Type.Integer({ minimum: 0 }),
  succeeded: Type.Integer({ minimum: 0 }),
  successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'succeeded / attempts; null without attempts' }),
  avgLatencyMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  maxLatencyMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
};

const TenantStats = Type.Object({
  ...StatsRangeFields,
  endpoints: Type.Array(
    Type.Object({
      endpointId: Type.String(),
      totals: Type.Object(Figures),
      buckets: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), ...Figures }), {
        description: 'Buckets with at least one attempt, oldest first; each starts at a multiple of bucketMs since the epoch (UTC)',
      }),
    }),
  ),
});

interface Sums {
  attempts: number;
  succeeded: number;
  latencyTotal: number;
  maxLatencyMs: number;
}

const figures = (s: Sums) => ({
  attempts: s.attempts,
  succeeded: s.succeeded,
  successRate: s.attempts > 0 ? s.succeeded / s.attempts : null,
  avgLatencyMs: s.attempts > 0 ? Math.round(s.latencyTotal / s.attempts) : null,
  maxLatencyMs: s.attempts > 0 ? s.maxLatencyMs : null,
});

export const statsRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext; scope?: RouteScope }> = async (app, { ctx, scope = TENANT_SCOPE }) => {
  enterScope(app as unknown as FastifyInstance, ctx, scope);
  const { store } = ctx;

  app.get(
    `${scope.base}/stats`,
    {
      schema: {
        tags: scope.tags('Deliveries'),
        summary: 'Success rate and latency per endpoint over time (hourly up to 48 h, else daily)',
        params: scope.params,
        querystring: StatsRangeQuery,
        response: { 200: TenantStats },
      },
    },
    async (request) => {
      const range = statsRange(request.query);
      const rows = await store.deliveries.stats(tenantOf(request).id, range.from, range.to, range.bucketMs);

      const byEndpoint = new Map<string, { totals: Sums; buckets: ReturnType<typeof bucketOf>[] }>();
      function bucketOf(row: (typeof rows)[number]) {
        return { start: row.bucketStart.toISOString(), ...figures({ ...row, latencyTotal: row.avgLatencyMs * row.attempts }) };
      }
      for (const row of rows) {
        let entry = byEndpoint.get(row.endpointId);
        if (!entry) byEndpoint.set(row.endpointId, (entry = { totals: { attempts: 0, succeeded: 0, latencyTotal: 0, maxLatencyMs: 0 }, buckets: [] }));
        entry.totals.attempts += row.attempts;
        entry.totals.succeeded += row.succeeded;
        entry.totals.latencyTotal += row.avgLatencyMs * row.attempts;
        entry.totals.maxLatencyMs = Math.max(entry.totals.maxLatencyMs, row.maxLatencyMs);
        entry.buckets.push(bucketOf(row));
      }
      return {
        ...range.fields,
        endpoints: [...byEndpoint].map(([endpointId, { totals, buckets }]) => ({ endpointId, totals: figures(totals), buckets })),
      };
    },
  );
};
