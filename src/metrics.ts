import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueGauges } from './store/store.js';

/** How long one read of the gauges serves scrapes: a big backlog costs one count per interval, not per scrape. */
export const GAUGE_CACHE_MS = 5_000;

/**
 * Herald's Prometheus metrics, one registry per process (tests build several apps). Every label
 * takes a fixed, small set of values: never a tenant, endpoint or delivery id, so the number
 * of series stays bounded whatever the traffic.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly attempts = new Counter({
    name: 'herald_delivery_attempts_total',
    help: 'Delivery attempts by outcome (succeeded, failed: a retry is scheduled, dead: the last one failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly attemptDuration = new Histogram({
    name: 'herald_attempt_duration_seconds',
    help: 'Time from sending a webhook to the end of its response',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly deliveryLag = new Histogram({
    name: 'herald_delivery_lag_seconds',
    help: 'Time from when an attempt was due (publish, retry time, re-send) to when it started',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  readonly published = new Counter({
    name: 'herald_events_published_total',
    help: 'Events accepted by the publish API',
    registers: [this.registry],
  });

  readonly publishOutcomes = new Counter({
    name: 'herald_publish_outcomes_total',
    help: 'Published events by outcome: created, duplicate (idempotency key seen), quota_exceeded (refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly operationalEvents = new Counter({
    name: 'herald_operational_events_total',
    help: 'Operational events emitted to the operator, by type (counted by the process that caused them)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor(gauges?: () => Promise<QueueGauges>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
    if (!gauges) return;
    // Both gauges come from one read, shared by both collectors and kept for GAUGE_CACHE_MS.
    let cached: { at: number; value: Promise<QueueGauges> } | null = null;
    const read = (): Promise<QueueGauges> => {
      if (!cached || Date.now() - cached.at > GAUGE_CACHE_MS) {
        const value = gauges();
        cached = { at: Date.now(), value };
        value.catch(() => (cached = null));
      }
      return cached.value;
    };
    new Gauge({
      name: 'herald_queue_depth',
      help: 'Deliveries waiting (pending, failed: a retry is scheduled) or in flight (delivering), by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        for (const [status, n] of Object.entries((await read()).deliveries)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'herald_endpoints',
      help: "Tenants' endpoints by status (failing: active, with a failing streak past the operator's failingAfter)",
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        for (const [status, n] of Object.entries((await read()).endpoints)) this.set({ status }, n);
      },
    });
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
