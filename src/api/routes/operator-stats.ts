import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.js';
import { StatsRangeFields, StatsRangeQuery, statsRange } from '../stats-range.js';

const tags = ['Deliveries'];
const Counts = {
  succeeded: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0, description: '`failed` or `dead`' }),
  pending: Type.Integer({ minimum: 0, description: '`pending` or `delivering`' }),
};

const OperatorStats = Type.Object({
  ...StatsRangeFields,
  totals: Type.Object(Counts),
  buckets: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), ...Counts }), {
    description: 'Buckets with at least one delivery, oldest first; each starts at a multiple of bucketMs since the epoch (UTC)',
  }),
});

export const operatorStatsRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  app.get(
    '/stats',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Deliveries across all tenants by outcome over time, by creation time (hourly up to 48 h, else daily; test sends excluded)',
        querystring: StatsRangeQuery,
        response: { 200: OperatorStats },
      },
    },
    async (request) => {
      const range = statsRange(request.query);
      const rows = await store.deliveries.outcomeStats(range.from, range.to, range.bucketMs);
      const totals = { succeeded: 0, failed: 0, pending: 0 };
      for (const row of rows) {
        totals.succeeded += row.succeeded;
        totals.failed += row.failed;
        totals.pending += row.pending;
      }
      return {
        ...range.fields,
        totals,
        buckets: rows.map((row) => ({ start: row.bucketStart.toISOString(), succeeded: row.succeeded, failed: row.failed, pending: row.pending })),
      };
    },
  );
};
