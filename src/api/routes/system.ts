import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HeraldError } from '../../errors.js';
import { metricsGate } from '../../metrics.js';
import type { ApiContext } from '../context.js';

/** Liveness (no token) and metrics (HERALD_METRICS_TOKEN when set), outside /api/v1. */
export const systemRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['System'], summary: 'Liveness: 200 once the API serves with migrations applied', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  const mayScrape = metricsGate(ctx.metricsToken);
  app.get('/metrics', { schema: { tags: ['System'], summary: 'Prometheus metrics (bearer HERALD_METRICS_TOKEN when set)', hide: false } }, async (request, reply) => {
    if (!mayScrape(request.headers.authorization)) throw new HeraldError('unauthorized', 'GET /metrics needs the metrics token (HERALD_METRICS_TOKEN) as a bearer token');
    const body = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(body);
  });
};
