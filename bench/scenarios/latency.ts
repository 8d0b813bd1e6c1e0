import { startCluster } from '../lib/herald-cluster.js';
import { setupTenant } from '../lib/herald-setup.js';
import { ms, rate } from '../lib/format.js';
import { firstArrival } from '../lib/watch.js';
import { measureDeliveries } from './measure-deliveries.js';
import { runDetails } from './throughput-row.js';
import type { BenchContext, Scenario } from './types.js';

/**
 * Publish → receive latency at a fixed arrival rate, open loop: event i is due at i / rate
 * whatever Herald answers, and its latency counts from that due time, so a server that falls
 * behind shows it in p99 instead of slowing the arrivals down.
 */
async function atFixedRate(ctx: BenchContext, store: 'sqlite' | 'postgres'): Promise<void> {
  const { rate: perSecond, rateSeconds } = ctx.options;
  const count = perSecond * rateSeconds;
  const what = store === 'sqlite' ? 'SQLite' : 'PostgreSQL, API + 1 worker';
  ctx.log(`latency: ${what}, ${count} events at ${perSecond}/s (open loop)`);
  const herald = await startCluster(ctx, { store, workers: 1, label: `latency-${store}` });
  try {
    await setupTenant(herald, ctx.receiver, { endpointPaths: ['/ok'] });
    const run = await measureDeliveries(ctx, herald, { count, batchSize: 1, ratePerSecond: perSecond, watch: firstArrival(ctx.receiver) });
    ctx.report({
      scenario: 'latency',
      label: `${what}, ${perSecond} events/s`,
      ceiling: null,
      herald: `p99 ${ms(run.endToEnd.p99)} ms (delivered ${rate(run.deliveriesPerSecond)}/s)`,
      ratio: null,
      latency: { p50: run.endToEnd.p50, p99: run.endToEnd.p99, publishCallP50: run.publishCall.p50 },
      cpuMicrosPerEvent: run.heraldCpuMicros,
      details: { store, ratePerSecond: perSecond, ...runDetails(run) },
    });
    ctx.log(`  p50 ${ms(run.endToEnd.p50)} ms, p99 ${ms(run.endToEnd.p99)} ms`);
  } finally {
    await herald.close();
  }
}

export const latency: Scenario = {
  name: 'latency',
  description: 'p99 publish → receive at a fixed --rate events/s (open loop), SQLite and PostgreSQL (API + 1 worker)',
  run: async (ctx) => {
    await atFixedRate(ctx, 'sqlite');
    await atFixedRate(ctx, 'postgres');
  },
};
