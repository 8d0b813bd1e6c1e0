import type { HeraldCluster } from '../lib/herald-cluster.js';
import { ADMIN_TOKEN } from '../lib/herald-cluster.js';
import { BENCH_TENANT } from '../lib/herald-setup.js';
import type { LoadResult } from '../load/load-protocol.js';
import { BENCH_EVENT_TYPE } from '../lib/payload.js';
import { maxOf, minOf, perSecond, summarize, type Summary } from '../lib/stats.js';
import type { Watch } from '../lib/watch.js';
import type { BenchContext } from './types.js';

export interface DeliverySpec {
  count: number;
  /** 1: the single-event route; more: the batch route. */
  batchSize: number;
  /** Open-loop events/s; null: closed loop over all connections. */
  ratePerSecond: number | null;
  watch: Watch;
  /** Receiver requests per event (fan-out), for CPU per delivery. */
  deliveriesPerEvent?: number;
  /** Untimed events first; default `--warmup`. */
  warmup?: number;
  /** Timed runs after the one warm-up; the median by deliveries/s is answered (default 1). */
  repeat?: number;
  /** The tenants published to, taking turns (default: the bench tenant alone). */
  tenants?: string[];
}

export interface DeliveryRun {
  /** The batch route answered 404. */
  unavailable: boolean;
  count: number;
  wallMs: number;
  /** Events delivered per second: count / (last arrival − first publish sent). */
  deliveriesPerSecond: number;
  acceptsPerSecond: number;
  /** Publish sent (or due, open loop) → delivered. */
  endToEnd: Summary;
  /** Publish sent → its 202 read. */
  publishCall: Summary;
  /** Herald's CPU (all its processes) per delivery, µs. */
  heraldCpuMicros: number;
  /**
   * The same for each process (serve, then the workers): with several workers it shows whether
   * one endpoint's work gathered on one of them or was split.
   */
  heraldCpuMicrosEach: number[];
  loadCpuMicros: number;
  /** With `repeat`, every timed run's deliveries/s in order (the answer is their median run). */
  runsPerSecond?: number[];
}

const UNAVAILABLE: DeliveryRun = { unavailable: true, count: 0, wallMs: Number.NaN, deliveriesPerSecond: Number.NaN, acceptsPerSecond: Number.NaN, endToEnd: summarize([]), publishCall: summarize([]), heraldCpuMicros: Number.NaN, heraldCpuMicrosEach: [], loadCpuMicros: Number.NaN };

let sequence = 0;

export interface PublishSpec {
  count: number;
  batchSize?: number;
  ratePerSecond?: number | null;
  /** Default `--timeout-ms`. */
  timeoutMs?: number;
  /** Default: the bench tenant alone. */
  tenants?: string[];
}

/** Publishes through the load generator; `unavailable` when the batch route is missing. */
export function publish(ctx: BenchContext, herald: HeraldCluster, spec: PublishSpec): Promise<LoadResult> {
  const seqBase = sequence;
  sequence += spec.count;
  return ctx.load.run({
    kind: 'publish', url: herald.url, token: ADMIN_TOKEN, tenants: spec.tenants ?? [BENCH_TENANT], count: spec.count, connections: ctx.options.connections,
    batchSize: spec.batchSize ?? 1, types: [BENCH_EVENT_TYPE], seqBase, ratePerSecond: spec.ratePerSecond ?? null, timeoutMs: spec.timeoutMs ?? ctx.options.timeoutMs,
  });
}

/** Warm-up (untimed, once per worker process), then `spec.repeat` timed runs (timedRun); answers the median one. */
export async function measureDeliveries(ctx: BenchContext, herald: HeraldCluster, spec: DeliverySpec): Promise<DeliveryRun> {
  const warmed = await herald.warmEach(async () => {
    const warm = await publish(ctx, herald, { count: spec.warmup ?? ctx.options.warmup, batchSize: spec.batchSize, tenants: spec.tenants });
    if (!warm.unavailable) await spec.watch.wait(warm.ids, ctx.options.timeoutMs);
    return !warm.unavailable;
  });
  if (warmed.includes(false)) return UNAVAILABLE;

  const runs: DeliveryRun[] = [];
  for (let i = 0; i < (spec.repeat ?? 1); i++) runs.push(await timedRun(ctx, herald, spec));
  if (runs.length === 1) return runs[0]!;
  const median = [...runs].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond)[Math.floor(runs.length / 2)]!;
  return { ...median, runsPerSecond: runs.map((run) => run.deliveriesPerSecond) };
}

/** One timed run: `spec.count` events from the first publish to the last delivery. */
async function timedRun(ctx: BenchContext, herald: HeraldCluster, spec: DeliverySpec): Promise<DeliveryRun> {
  const cpuBefore = herald.cpuMicrosEach();
  const published = await herald.timed(async () => {
    const result = await publish(ctx, herald, spec);
    await spec.watch.wait(result.ids, ctx.options.timeoutMs);
    return result;
  });
  const deliveries = spec.count * (spec.deliveriesPerEvent ?? 1);
  const heraldCpuMicrosEach = herald.cpuMicrosEach().map((micros, i) => (micros - cpuBefore[i]!) / deliveries);
  const heraldCpuMicros = heraldCpuMicrosEach.reduce((sum, micros) => sum + micros, 0);

  const arrivals = published.ids.map((id) => spec.watch.arrivedAt(id));
  const firstSent = minOf(published.sentAt);
  const wallMs = maxOf(arrivals) - firstSent;
  return {
    unavailable: false,
    count: spec.count,
    wallMs,
    deliveriesPerSecond: perSecond(spec.count, wallMs),
    acceptsPerSecond: perSecond(spec.count, maxOf(published.doneAt) - firstSent),
    endToEnd: summarize(arrivals.map((at, i) => at - published.sentAt[i]!)),
    publishCall: summarize(published.doneAt.map((at, i) => at - published.sentAt[i]!)),
    heraldCpuMicros,
    heraldCpuMicrosEach,
    loadCpuMicros: published.cpuMicros / spec.count,
  };
}
