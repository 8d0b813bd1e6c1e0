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
import { credentialRoutes } from './routes/credentials.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { endpointActionRoutes } from './routes/endpoint-actions.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { eventRoutes } from './routes/events.js';
import { eventStreamRoutes } from './routes/event-stream.js';
import { meRoutes } from './routes/me.js';
import { operatorAuditRoutes } from './routes/operator-audit.js';
import { operatorHealthRoutes } from './routes/operator-health.js';
import { operatorStatsRoutes } from './routes/operator-stats.js';
import { operatorRoutes } from './routes/operator.js';
import { OPERATOR_SCOPE } from './route-scope.js';
import { statsRoutes } from './routes/stats.js';
import { systemRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenants.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Fastify leaves request and socket timeouts at 0 (none), so a client that sends a byte a
 * minute held a socket forever. Headers must arrive within 10 s and the whole request within
 * 30 s (a 1 MB body at 35 KB/s); a socket idle for 60 s is closed (event streams send a
 * heartbeat every 15 s, so they are never idle that long); an idle keep-alive connection
 * goes after 5 s (Node's default; Fastify's own is 72 s). Node enforces the first two on a
 * sweep, every second here instead of its default 30 s.
 */
export const SERVER_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, idleSocketMs: 60_000, keepAliveMs: 5_000, sweepMs: 1_000 };

export async function buildApp(ctx: ApiContext, logger: Logger | false = false): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: SERVER_TIMEOUTS.requestMs,
    connectionTimeout: SERVER_TIMEOUTS.idleSocketMs,
    keepAliveTimeout: SERVER_TIMEOUTS.keepAliveMs,
    http: { headersTimeout: SERVER_TIMEOUTS.headersMs, connectionsCheckingInterval: SERVER_TIMEOUTS.sweepMs },
    routerOptions: { maxParamLength: 200 },
    // One log line per request would cost more than the publish itself; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
    clientErrorHandler: clientErrors,
    // Whose X-Forwarded-For to believe (HERALD_TRUST_PROXY): the failed-authentication limit counts per client address.
    ...(ctx.trustProxy && ctx.trustProxy.length > 0 ? { trustProxy: [...ctx.trustProxy] } : {}),
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
      for (const routes of [credentialRoutes, operatorAuditRoutes, operatorRoutes, operatorHealthRoutes]) await api.register(routes, { ctx });
      // The operator's endpoints and their deliveries: the same route files, mounted at /operator.
      for (const routes of [endpointRoutes, endpointActionRoutes, deliveryRoutes, statsRoutes]) await api.register(routes, { ctx, scope: OPERATOR_SCOPE });
    },
    { prefix: '/api/v1' },
  );
  registerDashboard(app as unknown as FastifyInstance, { portal: ctx.portal });
  return app as unknown as FastifyInstance;
}
