import { Pool } from 'undici';
import type { Config } from '../../src/config.js';
import { startBenchHerald, ADMIN_TOKEN, type BenchHerald } from '../lib/bench-herald.js';
import { now } from '../lib/clock.js';
import { startCpuMeter, type CpuPerItem } from '../lib/cpu-meter.js';
import { runConcurrent } from '../lib/load.js';
import { BENCH_EVENT_TYPE, eventData } from '../lib/payload.js';
import { maxOf, minOf, perSecond, summarize, type Summary } from '../lib/stats.js';
import type { BenchContext } from './types.js';

export const BENCH_TENANT = 'bench';

export interface HeraldSetup {
  /** Receiver paths, one endpoint each (all subscribed to the bench event type). */
  endpointPaths?: string[];
  config?: Partial<Config>;
  /** Settings of the bench tenant beyond the defaults, e.g. a short attempt timeout. */
  tenantSettings?: Record<string, unknown>;
}

/** A fresh Herald with the bench event type, one tenant and its endpoints on the receiver. */
export async function prepareHerald(ctx: BenchContext, setup: HeraldSetup = {}): Promise<{ bench: BenchHerald; endpointIds: string[] }> {
  const bench = await startBenchHerald(setup.config);
  try {
    await bench.admin('POST', '/api/v1/event-types', { name: BENCH_EVENT_TYPE, description: 'bench traffic' });
    await bench.admin('POST', '/api/v1/tenants', { id: BENCH_TENANT, name: 'Bench', ...(setup.tenantSettings ? { settings: setup.tenantSettings } : {}) });
    const endpointIds: string[] = [];
    for (const path of setup.endpointPaths ?? ['/ok']) {
      const endpoint = await bench.admin<{ id: string }>('POST', `/api/v1/tenants/${BENCH_TENANT}/endpoints`, {
        url: ctx.receiver.url(path),
        eventTypes: [BENCH_EVENT_TYPE],
      });
      endpointIds.push(endpoint.id);
    }
    return { bench, endpointIds };
  } catch (error) {
    await bench.close();
    throw error;
  }
}

export interface PublishedEvent {
  id: string;
  /** When the publish request was sent. */
  sentAt: number;
  /** When its 202 had been read. */
  acceptedAt: number;
}

/** Publishes `count` events from `concurrency` closed-loop publishers over keep-alive. */
export async function publishEvents(bench: BenchHerald, count: number, concurrency: number, seqBase = 0): Promise<PublishedEvent[]> {
  const pool = new Pool(bench.url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const published: PublishedEvent[] = new Array(count);
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  try {
    await runConcurrent(count, concurrency, async (i) => {
      const body = JSON.stringify({ type: BENCH_EVENT_TYPE, data: eventData(seqBase + i) });
      const sentAt = now();
      const response = await pool.request({ method: 'POST', path: `/api/v1/tenants/${BENCH_TENANT}/events`, headers, body });
      const text = await response.body.text();
      const acceptedAt = now();
      if (response.statusCode !== 202) throw new Error(`publish answered ${response.statusCode}: ${text.slice(0, 300)}`);
      published[i] = { id: (JSON.parse(text) as { id: string }).id, sentAt, acceptedAt };
    });
    return published;
  } finally {
    await pool.close();
  }
}

export interface HeraldResult {
  count: number;
  concurrency: number;
  wallMs: number;
  deliveriesPerSecond: number;
  acceptsPerSecond: number;
  /** Publish sent → first arrival at the receiver. */
  endToEnd: Summary;
  /** Publish sent → 202 read. */
  publishRoundTrip: Summary;
  /** Ids that arrived more than once (at-least-once). */
  duplicates: number;
  /** Bench-process CPU includes the publishers' HTTP client as well as Herald. */
  cpu: CpuPerItem;
}

/** Publishes `count` events to one healthy endpoint and waits until every one has arrived. */
export async function measureHerald(ctx: BenchContext, count: number, concurrency: number, setup: HeraldSetup = {}): Promise<HeraldResult> {
  const { bench } = await prepareHerald(ctx, setup);
  try {
    const warm = await publishEvents(bench, ctx.options.warmup, concurrency);
    await ctx.receiver.waitForIds(warm.map((e) => e.id), ctx.options.timeoutMs);

    const meter = await startCpuMeter(ctx.receiver);
    const published = await publishEvents(bench, count, concurrency, ctx.options.warmup);
    const lastAccept = maxOf(published.map((e) => e.acceptedAt));
    const firstSent = minOf(published.map((e) => e.sentAt));
    ctx.log(`  published ${count} in ${(lastAccept - firstSent).toFixed(0)} ms; waiting for deliveries`);
    await ctx.receiver.waitForIds(published.map((e) => e.id), ctx.options.timeoutMs);
    const cpu = await meter(count);

    const arrivals = published.map((e) => ctx.receiver.arrivals.get(e.id)!);
    const lastArrival = maxOf(arrivals.map((a) => a.first));
    const wallMs = lastArrival - firstSent;
    return {
      count,
      concurrency,
      wallMs,
      deliveriesPerSecond: perSecond(count, wallMs),
      acceptsPerSecond: perSecond(count, lastAccept - firstSent),
      endToEnd: summarize(published.map((e, i) => arrivals[i]!.first - e.sentAt)),
      publishRoundTrip: summarize(published.map((e) => e.acceptedAt - e.sentAt)),
      duplicates: arrivals.filter((a) => a.count > 1).length,
      cpu,
    };
  } finally {
    await bench.close();
  }
}
