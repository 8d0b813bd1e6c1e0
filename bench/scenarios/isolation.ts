import { startCluster } from '../lib/herald-cluster.js';
import { setupTenant } from '../lib/herald-setup.js';
import { rate } from '../lib/format.js';
import { onPath } from '../lib/watch.js';
import { measureDeliveries, type DeliveryRun } from './measure-deliveries.js';
import { runDetails } from './throughput-row.js';
import type { BenchContext, Scenario } from './types.js';

const HEALTHY = '/ok/healthy';
const HANGING = '/hang';

/**
 * The never-answering neighbour keeps its in-flight cap full of attempts that end only at the
 * tenant's timeout, retries at once and is never disabled, so it weighs on every claim for the
 * whole run. Both runs use these settings, so only the neighbour differs.
 */
const TENANT_SETTINGS = { attemptTimeoutMs: 2000, retrySchedule: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1], autoDisableAfterFailures: 0 };

/** `--events` events to the healthy endpoint, alone or with the hanging one subscribed to the same events. */
async function healthyRun(ctx: BenchContext, withNeighbour: boolean): Promise<DeliveryRun> {
  const label = withNeighbour ? 'isolation-beside' : 'isolation-alone';
  ctx.log(`isolation: healthy endpoint ${withNeighbour ? 'beside a never-answering one' : 'alone'}, ${ctx.options.events} events`);
  const herald = await startCluster(ctx, { store: 'sqlite', workers: 0, label });
  try {
    await setupTenant(herald, ctx.receiver, { endpointPaths: withNeighbour ? [HEALTHY, HANGING] : [HEALTHY], tenantSettings: TENANT_SETTINGS });
    return await measureDeliveries(ctx, herald, { count: ctx.options.events, batchSize: 1, ratePerSecond: null, watch: onPath(ctx.receiver, HEALTHY) });
  } finally {
    await herald.close();
  }
}

/** Alone and beside, alternated this many times: one pair moved by ±15 % on this project's machines. */
const PAIRS = 3;

/** The run with the median rate. */
const medianRun = (runs: DeliveryRun[]): DeliveryRun => [...runs].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond)[Math.floor(runs.length / 2)]!;

export const isolation: Scenario = {
  name: 'isolation',
  description: `SQLite: a healthy endpoint alone, then beside a never-answering one getting the same events (${PAIRS} pairs, alternated; medians): the cost in %`,
  async run(ctx) {
    const ceiling = await ctx.ceiling();
    const runs = { alone: [] as DeliveryRun[], beside: [] as DeliveryRun[] };
    for (let pair = 0; pair < PAIRS; pair++) {
      runs.alone.push(await healthyRun(ctx, false));
      runs.beside.push(await healthyRun(ctx, true));
    }
    const alone = medianRun(runs.alone);
    const beside = medianRun(runs.beside);
    const cost = 1 - beside.deliveriesPerSecond / alone.deliveriesPerSecond;
    for (const [what, run, all] of [['healthy endpoint alone', alone, runs.alone], ['healthy beside a never-answering one', beside, runs.beside]] as const) {
      ctx.report({
        scenario: 'isolation',
        label: `SQLite, ${what} (median of ${PAIRS})`,
        ceiling,
        herald: run === beside ? `${rate(run.deliveriesPerSecond)} deliveries/s; cost ${(100 * cost).toFixed(0)} %` : `${rate(run.deliveriesPerSecond)} deliveries/s`,
        ratio: run.deliveriesPerSecond / ceiling,
        latency: { p50: run.endToEnd.p50, p99: run.endToEnd.p99, publishCallP50: run.publishCall.p50 },
        cpuMicrosPerEvent: run.heraldCpuMicros,
        details: { ...runDetails(run), runsPerSecond: all.map((r) => r.deliveriesPerSecond), ...(run === beside ? { costPercent: 100 * cost } : {}) },
      });
    }
    ctx.log(`  a never-answering neighbour costs the healthy endpoint ${(100 * cost).toFixed(1)} % of its deliveries/s (alone ${runs.alone.map((r) => rate(r.deliveriesPerSecond)).join(', ')}; beside ${runs.beside.map((r) => rate(r.deliveriesPerSecond)).join(', ')})`);
  },
};
