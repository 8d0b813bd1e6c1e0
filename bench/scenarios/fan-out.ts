import { startCluster } from '../lib/herald-cluster.js';
import { setupTenant } from '../lib/herald-setup.js';
import { ms, rate } from '../lib/format.js';
import { allCopies } from '../lib/watch.js';
import { measureDeliveries } from './measure-deliveries.js';
import { runDetails } from './throughput-row.js';
import type { Scenario } from './types.js';

const ENDPOINTS = 50;

/**
 * Every event to 50 endpoints of one tenant (SQLite). `--events` / 50 events, so the run makes
 * as many deliveries as the ceiling makes requests. An event counts as delivered at its 50th arrival.
 */
export const fanOut: Scenario = {
  name: 'fan-out',
  description: `SQLite: each event to ${ENDPOINTS} endpoints; deliveries/s × ceiling and the publish call's p50`,
  async run(ctx) {
    const ceiling = await ctx.ceiling();
    const events = Math.max(1, Math.round(ctx.options.events / ENDPOINTS));
    ctx.log(`fan-out: ${events} events × ${ENDPOINTS} endpoints over ${ctx.options.connections} connections`);
    const herald = await startCluster(ctx, { store: 'sqlite', workers: 0, label: 'fan-out' });
    try {
      await setupTenant(herald, ctx.receiver, { endpointPaths: Array.from({ length: ENDPOINTS }, (_, i) => `/ok/fan-${i}`) });
      const run = await measureDeliveries(ctx, herald, {
        count: events, batchSize: 1, ratePerSecond: null, watch: allCopies(ctx.receiver, ENDPOINTS), deliveriesPerEvent: ENDPOINTS, warmup: Math.min(ctx.options.warmup, events),
      });
      const deliveriesPerSecond = run.deliveriesPerSecond * ENDPOINTS;
      ctx.report({
        scenario: 'fan-out',
        label: `SQLite, 1 event → ${ENDPOINTS} endpoints`,
        ceiling,
        herald: `${rate(deliveriesPerSecond)} deliveries/s; publish call p50 ${ms(run.publishCall.p50)} ms`,
        ratio: deliveriesPerSecond / ceiling,
        latency: { p50: run.endToEnd.p50, p99: run.endToEnd.p99, publishCallP50: run.publishCall.p50 },
        cpuMicrosPerEvent: run.heraldCpuMicros,
        details: { endpoints: ENDPOINTS, deliveriesPerSecond, ...runDetails(run) },
      });
      ctx.log(`  ${rate(deliveriesPerSecond)} deliveries/s, publish call p50 ${ms(run.publishCall.p50)} ms`);
    } finally {
      await herald.close();
    }
  },
};
