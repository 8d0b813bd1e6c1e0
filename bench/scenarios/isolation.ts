import { waitForIdsOn } from '../lib/arrivals.js';
import { startCpuMeter } from '../lib/cpu-meter.js';
import { maxOf, minOf, perSecond, summarize } from '../lib/stats.js';
import { BENCH_TENANT, prepareHerald, publishEvents } from './measure-herald.js';
import type { BenchContext, Scenario } from './types.js';

const HEALTHY = '/ok';
const HANGING = '/hang';
const NEIGHBOUR_TYPE = 'bench.neighbour';
const NEIGHBOUR_BACKLOG = 1000;

/**
 * The hanging neighbour keeps its in-flight cap full of attempts that only end at the tenant's
 * timeout, retries at once and is never disabled, so it weighs on every claim for the whole run.
 */
const NEIGHBOUR_TENANT = { attemptTimeoutMs: 2000, retrySchedule: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1], autoDisableAfterFailures: 0 };

/**
 * - `none`: the healthy endpoint alone.
 * - `shared`: the hanging endpoint subscribes to the same events, so every publish also writes
 *   its delivery: the cost includes that second row, not only the interference in delivery.
 * - `backlog`: the hanging endpoint has its own backlog of other events, so publishes cost the
 *   same as alone and only the interference in claiming and sending remains.
 */
type Neighbour = 'none' | 'shared' | 'backlog';

async function healthyRate(ctx: BenchContext, neighbour: Neighbour, count: number, concurrency: number) {
  const paths = neighbour === 'shared' ? [HEALTHY, HANGING] : [HEALTHY];
  const { bench } = await prepareHerald(ctx, { endpointPaths: paths, tenantSettings: NEIGHBOUR_TENANT });
  try {
    if (neighbour === 'backlog') {
      await bench.admin('POST', '/api/v1/event-types', { name: NEIGHBOUR_TYPE, description: 'hanging neighbour traffic' });
      await bench.admin('POST', `/api/v1/tenants/${BENCH_TENANT}/endpoints`, { url: ctx.receiver.url(HANGING), eventTypes: [NEIGHBOUR_TYPE] });
      for (let i = 0; i < NEIGHBOUR_BACKLOG; i++) await bench.admin('POST', `/api/v1/tenants/${BENCH_TENANT}/events`, { type: NEIGHBOUR_TYPE, data: { i } });
    }
    const warm = await publishEvents(bench, ctx.options.warmup, concurrency);
    await waitForIdsOn(ctx.receiver, HEALTHY, warm.map((e) => e.id), ctx.options.timeoutMs);
    const meter = await startCpuMeter(ctx.receiver);
    const published = await publishEvents(bench, count, concurrency, ctx.options.warmup);
    await waitForIdsOn(ctx.receiver, HEALTHY, published.map((e) => e.id), ctx.options.timeoutMs);
    // CPU per healthy delivery hardly moves with other load on the machine, unlike the rate.
    const cpu = await meter(count);
    const onHealthy = ctx.receiver.arrivalsByPath.get(HEALTHY)!;
    const firstSent = minOf(published.map((e) => e.sentAt));
    const lastArrival = maxOf(published.map((e) => onHealthy.get(e.id)!));
    return {
      deliveriesPerSecond: perSecond(count, lastArrival - firstSent),
      acceptsPerSecond: perSecond(count, maxOf(published.map((e) => e.acceptedAt)) - firstSent),
      latency: summarize(published.map((e) => onHealthy.get(e.id)! - e.sentAt)),
      wallMs: lastArrival - firstSent,
      hangingRequests: (await ctx.receiver.stats()).byPath[HANGING] ?? 0,
      cpu,
    };
  } finally {
    await bench.close();
  }
}

export const isolation: Scenario = {
  name: 'isolation',
  description: 'a healthy endpoint alone, then beside one that never answers: the neighbour’s cost in %',
  async run(ctx) {
    const { events: count, concurrency } = ctx.options;
    // The healthy endpoint runs alone first and last: the first Herald of the process pays for
    // JIT warm-up and the machine's load drifts, so the baseline is the mean of both.
    const order = ['none', 'backlog', 'shared', 'none'] as const;
    const results: Array<{ neighbour: Neighbour; result: Awaited<ReturnType<typeof healthyRate>> }> = [];
    for (const neighbour of order) {
      ctx.log(`isolation: healthy endpoint, neighbour ${neighbour}, ${count} events, concurrency ${concurrency}`);
      results.push({ neighbour, result: await healthyRate(ctx, neighbour, count, concurrency) });
    }
    const alone = results.filter((r) => r.neighbour === 'none').map((r) => r.result);
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const baseRate = mean(alone.map((r) => r.deliveriesPerSecond));
    const baseCpu = mean(alone.map((r) => r.cpu.benchMicros));
    for (const { neighbour, result } of results) {
      const costPercent = (100 * (baseRate - result.deliveriesPerSecond)) / baseRate;
      const cpuCostPercent = (100 * (result.cpu.benchMicros - baseCpu)) / baseCpu;
      if (neighbour !== 'none') {
        ctx.log(`isolation: a hanging neighbour (${neighbour}) costs the healthy endpoint ${costPercent.toFixed(1)} % of its deliveries/s, ${cpuCostPercent.toFixed(1)} % more CPU per delivery`);
      }
      ctx.report({
        scenario: 'isolation',
        path: neighbour === 'none' ? 'healthy alone' : `healthy + hanging (${neighbour})`,
        concurrency,
        count,
        throughput: result.deliveriesPerSecond,
        acceptRate: result.acceptsPerSecond,
        latency: result.latency,
        percentOfRaw: null,
        cpuMicrosPerItem: result.cpu.benchMicros,
        details: { wallMs: result.wallMs, cpuMicrosPerItem: result.cpu, ...(neighbour === 'none' ? {} : { costPercent, cpuCostPercent, hangingRequestsSoFar: result.hangingRequests }) },
      });
    }
  },
};
