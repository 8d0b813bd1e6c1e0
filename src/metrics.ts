import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Herald's Prometheus metrics, one registry per process (tests build several apps). */
export class Metrics {
  readonly registry = new Registry();

  readonly attempts = new Counter({
    name: 'herald_delivery_attempts_total',
    help: 'Delivery attempts by outcome (succeeded, failed, dead)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly attemptDuration = new Histogram({
    name: 'herald_attempt_duration_seconds',
    help: 'Time from sending a webhook to the end of its response',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly published = new Counter({
    name: 'herald_events_published_total',
    help: 'Events accepted by the publish API',
    registers: [this.registry],
  });

  constructor(queueDepth?: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
    if (queueDepth) {
      new Gauge({
        name: 'herald_queue_depth',
        help: 'Deliveries waiting or in flight',
        registers: [this.registry],
        async collect() {
          this.set(await queueDepth());
        },
      });
    }
  }
}

/**
 * HERALD_METRICS_TOKEN as a gate: open when no token is set (the first release's behaviour),
 * else only `Authorization: Bearer <token>` passes. Hashes are compared, in constant time,
 * so neither the length nor a prefix of the token leaks through timing.
 */
export function metricsGate(token: string | null | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    return given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
  };
}
