import { startCluster, type ClusterSpec } from '../lib/herald-cluster.js';
import { setupTenant } from '../lib/herald-setup.js';
import { rate } from '../lib/format.js';
import { firstArrival } from '../lib/watch.js';
import { measureDeliveries } from './measure-deliveries.js';
import { runDetails } from './throughput-row.js';
import type { BenchContext, Scenario } from './types.js';

/** The receiver answers 200 after 1 ms: the endpoint is quick, so Herald's own turn-around shows. */
const PATH = '/slow/1';

interface Run {
  what: string;
  cluster: ClusterSpec;
  ordering: 'unordered' | 'fifo';
}

const RUNS: Run[] = [
  { what: 'SQLite, one unordered endpoint answering in 1 ms', cluster: { store: 'sqlite', workers: 0, label: 'fifo-unordered' }, ordering: 'unordered' },
  { what: 'SQLite, one FIFO endpoint answering in 1 ms', cluster: { store: 'sqlite', workers: 0, label: 'fifo-sqlite' }, ordering: 'fifo' },
  { what: 'PostgreSQL, API + 1 worker, one FIFO endpoint answering in 1 ms', cluster: { store: 'postgres', workers: 1, label: 'fifo-pg' }, ordering: 'fifo' },
];

async function measure(ctx: BenchContext, run: Run, ceiling: number): Promise<void> {
  ctx.log(`fifo: ${run.what}, ${ctx.options.events} events over ${ctx.options.connections} connections`);
  const herald = await startCluster(ctx, run.cluster);
  try {
    await setupTenant(herald, ctx.receiver, { endpointPaths: [PATH], endpointFields: { ordering: run.ordering } });
    const result = await measureDeliveries(ctx, herald, { count: ctx.options.events, batchSize: 1, ratePerSecond: null, watch: firstArrival(ctx.receiver) });
    ctx.report({
      scenario: 'fifo',
      label: run.what,
      ceiling,
      herald: `${rate(result.deliveriesPerSecond)} deliveries/s`,
      ratio: result.deliveriesPerSecond / ceiling,
      latency: { p50: result.endToEnd.p50, p99: result.endToEnd.p99, publishCallP50: result.publishCall.p50 },
      cpuMicrosPerEvent: result.heraldCpuMicros,
      details: { store: run.cluster.store, ordering: run.ordering, ...runDetails(result) },
    });
    ctx.log(`  ${rate(result.deliveriesPerSecond)} deliveries/s`);
  } finally {
    await herald.close();
  }
}

/**
 * What ordering costs: one endpoint, unordered then FIFO, answering in 1 ms. Unordered, the
 * endpoint has up to 16 attempts in flight; FIFO, one, and the next is claimed only once the
 * last one's outcome is committed, so its rate is one round of claim, request and record at
 * a time, whatever the number of workers.
 */
export const fifo: Scenario = {
  name: 'fifo',
  description: 'One endpoint answering in 1 ms: unordered, then FIFO (SQLite; PostgreSQL with one worker), deliveries/s',
  async run(ctx) {
    const ceiling = await ctx.ceiling();
    for (const run of RUNS) await measure(ctx, run, ceiling);
  },
};
