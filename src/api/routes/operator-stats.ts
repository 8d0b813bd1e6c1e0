import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';
import { OutcomeChart, outcomeChart } from '../outcome-chart.js';
import { StatsRangeQuery, statsRange } from '../stats-range.js';

export const operatorStatsRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/stats',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['Deliveries'],
        summary: 'Deliveries across all tenants by outcome over time, by creation time (hourly up to 48 h, else daily; test sends excluded)',
        querystring: StatsRangeQuery,
        response: { 200: OutcomeChart },
      },
    },
    async (request) => outcomeChart(ctx.store, statsRange(request.query)),
  );
};
