import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { HERALD_VERSION } from '../domain/tenant.js';
import type { ApiContext } from './context.js';
import { registerDashboard } from './dashboard.js';
import { registerAuth } from './plugins/auth.js';
import { clientErrors, frameworkErrors, registerErrorHandling } from './plugins/errors.js';
import { registerRequestParsing } from './plugins/request-parsing.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { endpointActionRoutes } from './routes/endpoint-actions.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { eventRoutes } from './routes/events.js';
import { eventStreamRoutes } from './routes/event-stream.js';
import { meRoutes } from './routes/me.js';
import { operatorStatsRoutes } from './routes/operator-stats.js';
import { statsRoutes } from './routes/stats.js';
import { systemRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenants.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function buildApp(ctx: ApiContext, logger: Logger | false = false): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    // One log line per request would cost more than the publish itself; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
    clientErrorHandler: clientErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Request bodies are JSON only: drop Fastify's text/plain parser so anything else is a 415.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app as unknown as FastifyInstance);
  registerRequestParsing(app as unknown as FastifyInstance);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Herald', version: HERALD_VERSION, description: 'Self-hosted webhook delivery.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(systemRoutes, { ctx });
  await app.register(
    async (api) => {
      registerAuth(api as unknown as FastifyInstance, ctx);
      for (const routes of [meRoutes, eventTypeRoutes, tenantRoutes, endpointRoutes, endpointActionRoutes, eventRoutes, eventStreamRoutes, deliveryRoutes, statsRoutes, operatorStatsRoutes]) {
        await api.register(routes, { ctx });
      }
    },
    { prefix: '/api/v1' },
  );
  registerDashboard(app as unknown as FastifyInstance, { portal: ctx.portal });
  return app as unknown as FastifyInstance;
}
