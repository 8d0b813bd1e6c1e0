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

  const Readiness = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]), database: Type.Boolean(), engine: Type.Union([Type.Boolean(), Type.Null()]) });
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['System'],
        summary: 'Readiness: 200 when the database answers and the delivery engine (where this process runs one) works, else 503',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const { database, engine } = await ctx.readiness();
      const ready = database && engine !== false;
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', database, engine });
    },
  );

  const mayScrape = metricsGate(ctx.metricsToken);
  app.get('/metrics', { schema: { tags: ['System'], summary: 'Prometheus metrics (bearer HERALD_METRICS_TOKEN when set)', hide: false } }, async (request, reply) => {
    if (!mayScrape(request.headers.authorization)) throw new HeraldError('unauthorized', 'GET /metrics needs the metrics token (HERALD_METRICS_TOKEN) as a bearer token');
    const body = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(body);
  });
};
