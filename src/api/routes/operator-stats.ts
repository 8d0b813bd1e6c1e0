import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { validationFailed } from '../../errors.js';
import type { ApiContext } from '../context.js';

const tags = ['Deliveries'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ranges up to this long are split by the hour, longer ones by the day. */
const HOURLY_UP_TO_MS = 48 * HOUR_MS;
const MAX_RANGE_MS = 400 * DAY_MS;

const OperatorStatsQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the range (default: 24 h before `to`)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range, exclusive (default: now)' })),
});

const Counts = {
  succeeded: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0, description: '`failed` or `dead`' }),
  pending: Type.Integer({ minimum: 0, description: '`pending` or `delivering`' }),
};

const OperatorStats = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  bucketMs: Type.Integer(),
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
        querystring: OperatorStatsQuery,
        response: { 200: OperatorStats },
      },
    },
    async (request) => {
      const to = request.query.to ? new Date(request.query.to) : new Date();
      const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - DAY_MS);
      const range = to.getTime() - from.getTime();
      if (range <= 0) throw validationFailed('from must be before to', [{ path: '/from' }]);
      if (range > MAX_RANGE_MS) throw validationFailed('The range is at most 400 days', [{ path: '/from' }]);
      const bucketMs = range <= HOURLY_UP_TO_MS ? HOUR_MS : DAY_MS;
      const rows = await store.deliveries.outcomeStats(from, to, bucketMs);
      const totals = { succeeded: 0, failed: 0, pending: 0 };
      for (const row of rows) {
        totals.succeeded += row.succeeded;
        totals.failed += row.failed;
        totals.pending += row.pending;
      }
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        bucket: bucketMs === HOUR_MS ? ('hour' as const) : ('day' as const),
        bucketMs,
        totals,
        buckets: rows.map((row) => ({ start: row.bucketStart.toISOString(), succeeded: row.succeeded, failed: row.failed, pending: row.pending })),
      };
    },
  );
};
