import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { validationFailed } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { TenantParams } from '../schemas.js';

const tags = ['Deliveries'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ranges up to this long are split by the hour, longer ones by the day. */
const HOURLY_UP_TO_MS = 48 * HOUR_MS;
const MAX_RANGE_MS = 400 * DAY_MS;

const StatsQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the range (default: 24 h before `to`)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range, exclusive (default: now)' })),
});

const Figures = {
  attempts: Type.Integer({ minimum: 0 }),
  succeeded: Type.Integer({ minimum: 0 }),
  successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'succeeded / attempts; null without attempts' }),
  avgLatencyMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  maxLatencyMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
};

const TenantStats = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  bucketMs: Type.Integer(),
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

export const statsRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  app.get(
    '/tenants/:tid/stats',
    {
      schema: {
        tags,
        summary: 'Success rate and latency per endpoint over time (hourly up to 48 h, else daily)',
        params: TenantParams,
        querystring: StatsQuery,
        response: { 200: TenantStats },
      },
    },
    async (request) => {
      const to = request.query.to ? new Date(request.query.to) : new Date();
      const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - DAY_MS);
      const range = to.getTime() - from.getTime();
      if (range <= 0) throw validationFailed('from must be before to', [{ path: '/from' }]);
      if (range > MAX_RANGE_MS) throw validationFailed('The range is at most 400 days', [{ path: '/from' }]);
      const bucketMs = range <= HOURLY_UP_TO_MS ? HOUR_MS : DAY_MS;
      const rows = await store.deliveries.stats(request.params.tid, from, to, bucketMs);

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
        from: from.toISOString(),
        to: to.toISOString(),
        bucket: bucketMs === HOUR_MS ? ('hour' as const) : ('day' as const),
        bucketMs,
        endpoints: [...byEndpoint].map(([endpointId, { totals, buckets }]) => ({ endpointId, totals: figures(totals), buckets })),
      };
    },
  );
};
