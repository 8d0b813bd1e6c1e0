import { startCluster, type ClusterSpec } from '../lib/herald-cluster.js';
import { setupTenant } from '../lib/herald-setup.js';
import { rate } from '../lib/format.js';
import { firstArrival } from '../lib/watch.js';
import { measureDeliveries, type DeliveryRun } from './measure-deliveries.js';
import type { BenchContext, ResultRow } from './types.js';

export interface ThroughputSpec extends ClusterSpec {
  scenario: string;
  /** What the row says, e.g. "PostgreSQL, API + 1 worker". */
  what: string;
  batchSize: number;
}

/** What a delivery run adds to the JSON line besides the table's figures. */
export function runDetails(run: DeliveryRun): Record<string, unknown> {
  return {
    count: run.count,
    wallMs: run.wallMs,
    acceptsPerSecond: run.acceptsPerSecond,
    endToEnd: run.endToEnd,
    publishCall: run.publishCall,
    loadCpuMicrosPerEvent: run.loadCpuMicros,
    heraldCpuMicrosPerEventEach: run.heraldCpuMicrosEach.map(Math.round),
    ...(run.runsPerSecond ? { runsPerSecond: run.runsPerSecond.map(Math.round) } : {}),
  };
}

/** `--events` events from all connections to one healthy endpoint: deliveries/s against the ceiling. */
export async function measureThroughput(ctx: BenchContext, spec: ThroughputSpec): Promise<DeliveryRun> {
  const ceiling = await ctx.ceiling();
  ctx.log(`${spec.scenario}: ${spec.what}, ${ctx.options.events} events over ${ctx.options.connections} connections`);
  const herald = await startCluster(ctx, spec);
  let run: DeliveryRun;
  try {
    await setupTenant(herald, ctx.receiver, { endpointPaths: ['/ok'] });
    run = await measureDeliveries(ctx, herald, { count: ctx.options.events, batchSize: spec.batchSize, ratePerSecond: null, watch: firstArrival(ctx.receiver), repeat: ctx.options.repeat });
  } finally {
    await herald.close();
  }
  const row: ResultRow = {
    scenario: spec.scenario,
    label: ctx.options.repeat > 1 ? `${spec.what} (median of ${ctx.options.repeat})` : spec.what,
    ceiling,
    herald: run.unavailable ? 'not available (batch route answers 404)' : `${rate(run.deliveriesPerSecond)} deliveries/s`,
    ratio: run.unavailable ? null : run.deliveriesPerSecond / ceiling,
    latency: run.unavailable ? null : { p50: run.endToEnd.p50, p99: run.endToEnd.p99, publishCallP50: run.publishCall.p50 },
    cpuMicrosPerEvent: run.unavailable ? null : run.heraldCpuMicros,
    details: { store: spec.store, workers: spec.store === 'postgres' ? spec.workers : null, batchSize: spec.batchSize, ...(run.unavailable ? { unavailable: true } : runDetails(run)) },
  };
  ctx.report(row);
  ctx.log(`  ${row.herald}${run.runsPerSecond ? ` (runs: ${run.runsPerSecond.map(rate).join(', ')})` : ''}`);
  return run;
}
