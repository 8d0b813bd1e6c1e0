import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './api/app.js';
import type { ApiContext } from './api/context.js';
import { EndpointMatchers } from './api/endpoint-matchers.js';
import { CatalogCache } from './api/catalog-cache.js';
import { loadCredentials, seedCatalog, type Credentials } from './bootstrap.js';
import type { Config } from './config.js';
import { DeliveryEngine } from './engine/delivery-engine.js';
import { Metrics } from './metrics.js';
import { createEgressDispatcher, startExchangeThread, type ExchangeThread } from './net/index.js';
import { openStore } from './store/open-store.js';
import { loadTracing } from './telemetry/load-tracing.js';
import type { Store } from './store/store.js';

export interface Herald {
  store: Store;
  engine: DeliveryEngine | null;
  app: FastifyInstance | null;
  /** The API's base URL once listening. */
  url: string | null;
  generated: Credentials['generated'];
  close(): Promise<void>;
}

/** Secrets never reach the logs, whichever object carries them. */
const REDACT = ['req.headers.authorization', 'secret', 'verifyToken', '*.secret', '*.verifyToken', 'adminToken', 'encryptionKey', 'metricsToken'];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** The composition root: the one place that picks a store and wires the API and the engine. */
export async function startHerald(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Herald> {
  const store = await openStore(config.databaseUrl);
  let deliveryThread: ExchangeThread | null = null;
  try {
    if (config.migrate) await store.migrate();
    await seedCatalog(store);
    const credentials = await loadCredentials(store, config);
    const metrics = new Metrics(() => store.queue.gauges());
    const dispatcherOptions = { connections: 64 };
    const dispatcher = createEgressDispatcher(config.egress, dispatcherOptions);
    // On PostgreSQL a worker's main thread waits on round trips more than it works: there the
    // thread only lengthened each claim → request → record cycle (npm run bench, pg-workers:
    // 4-10 % slower); add worker processes instead.
    deliveryThread = config.workers && config.deliveryThread && store.kind === 'sqlite' ? startExchangeThread(config.egress, dispatcherOptions, (error) => logger.error({ err: error }, 'delivery-thread:error')) : null;
    const tracing = await loadTracing();
    const engine = new DeliveryEngine({ store, dispatcher, exchange: deliveryThread?.exchange, secretBox: credentials.secretBox, logger, metrics, tracing, leaseGraceMs: config.leaseGraceMs, maxInFlightPerEndpoint: config.maxInFlightPerEndpoint });

    let app: FastifyInstance | null = null;
    let url: string | null = null;
    let matchers: EndpointMatchers | null = null;
    let catalog: CatalogCache | null = null;
    if (config.api) {
      matchers = new EndpointMatchers(store);
      catalog = new CatalogCache(store);
      const ctx: ApiContext = {
        store,
        matchers,
        catalog,
        secretBox: credentials.secretBox,
        egress: config.egress,
        delivery: engine,
        metrics,
        tracing,
        readiness: async () => ({ database: await databaseAnswers(store), engine: config.workers ? engine.healthy : null }),
        publicUrl: config.publicUrl,
        adminTokenHash: credentials.adminTokenHash,
        tenantRateLimit: { perSecond: 100, burst: 200 },
        trustProxy: config.trustProxy,
        metricsToken: config.metricsToken,
        portal: config.portal,
      };
      app = await buildApp(ctx, logger);
      url = await app.listen({ port: config.port, host: config.host });
      // With `--port 0` the default public URL names port 0: links must name the port the OS chose.
      if (new URL(ctx.publicUrl).port === '0') ctx.publicUrl = url;
    }
    if (config.workers) await engine.start();

    return {
      store,
      engine: config.workers ? engine : null,
      app,
      url,
      generated: credentials.generated,
      async close() {
        await app?.close();
        matchers?.close();
        catalog?.close();
        await engine.stop();
        await deliveryThread?.close();
        await dispatcher.close();
        await tracing.shutdown();
        await store.close();
      },
    };
  } catch (error) {
    await deliveryThread?.close();
    await store.close();
    throw error;
  }
}

/** A cheap read with a deadline: a database that hangs is as unready as one that refuses. */
async function databaseAnswers(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2_000)));
  try {
    return await Promise.race([store.meta.get('schema_check').then(() => true, () => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
