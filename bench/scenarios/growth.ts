import { startCluster, type ClusterSpec } from '../lib/herald-cluster.js';
import { setupCrowd, setupTenant } from '../lib/herald-setup.js';
import { mb, percent, rate } from '../lib/format.js';
import { sampleMaxRss } from '../lib/proc-stats.js';
import { firstArrival } from '../lib/watch.js';
import { measureDeliveries, type DeliveryRun } from './measure-deliveries.js';
import { runDetails } from './throughput-row.js';
import type { BenchContext, Scenario } from './types.js';

/** The crowd made beside the bench tenant: 10,000 endpoints in all. */
const TENANTS = 1_000;
const ENDPOINTS_PER_TENANT = 10;
const PATH = '/ok/growth';

interface Step {
  what: string;
  run: DeliveryRun;
}

/**
 * Work that grows must not make each unit dearer. One Herald, single-event publishes over all
 * connections, three steps: one tenant with one endpoint; the same publishes once 1,000 more
 * tenants with 10 endpoints each exist (idle: nothing is published to them); then the same
 * number of events spread over those 1,000 tenants, one to each in turn, each delivered to its
 * tenant's one subscribed endpoint (the other nine subscribe to a type nothing publishes), so
 * 1,000 endpoints share the work that one endpoint had. Each step's rate and CPU an event
 * against the first step's, and the serve process's largest RSS over all three.
 */
async function grow(ctx: BenchContext, cluster: ClusterSpec, what: string): Promise<void> {
  const ceiling = await ctx.ceiling();
  ctx.log(`growth: ${what}, ${ctx.options.events} events, then beside and over ${TENANTS} tenants × ${ENDPOINTS_PER_TENANT} endpoints`);
  const herald = await startCluster(ctx, cluster);
  const rss = sampleMaxRss(herald.servePid);
  const steps: Step[] = [];
  const measure = async (step: string, { tenants, warmup }: { tenants?: string[]; warmup?: number } = {}) => {
    const run = await measureDeliveries(ctx, herald, { count: ctx.options.events, batchSize: 1, ratePerSecond: null, watch: firstArrival(ctx.receiver), repeat: ctx.options.repeat, tenants, warmup });
    steps.push({ what: step, run });
    ctx.log(`  ${step}: ${rate(run.deliveriesPerSecond)} deliveries/s, ${Math.round(run.heraldCpuMicros)} µs an event`);
  };
  try {
    await setupTenant(herald, ctx.receiver, { endpointPaths: [PATH] });
    // Twice the warm-up: with the usual one this step, the first of a fresh Herald, read 10-25 %
    // below the same publishes measured after the crowd was made.
    await measure('one tenant, one endpoint', { warmup: 2 * ctx.options.warmup });
    const made = Date.now();
    const crowd = await setupCrowd(herald, ctx.receiver, { tenants: TENANTS, endpointsPerTenant: ENDPOINTS_PER_TENANT, path: PATH });
    ctx.log(`  made ${TENANTS} tenants and ${TENANTS * ENDPOINTS_PER_TENANT} endpoints in ${((Date.now() - made) / 1000).toFixed(1)} s`);
    await measure(`the same, beside ${rate(TENANTS)} idle tenants × ${ENDPOINTS_PER_TENANT} endpoints`);
    await measure(`spread over the ${rate(TENANTS)} tenants (one endpoint each receiving)`, { tenants: crowd });
  } finally {
    rss.stop();
    await herald.close();
  }
  const maxRss = rss.stop();
  const [first] = steps;
  for (const { what: step, run } of steps) {
    const versus = run === first!.run ? '' : `; ${percent(run.deliveriesPerSecond / first!.run.deliveriesPerSecond)} of the rate, ${percent(run.heraldCpuMicros / first!.run.heraldCpuMicros)} of the CPU an event`;
    ctx.report({
      scenario: 'growth',
      label: `${what}, ${step}${ctx.options.repeat > 1 ? ` (median of ${ctx.options.repeat})` : ''}`,
      ceiling,
      herald: `${rate(run.deliveriesPerSecond)} deliveries/s${versus}`,
      ratio: run.deliveriesPerSecond / ceiling,
      latency: { p50: run.endToEnd.p50, p99: run.endToEnd.p99, publishCallP50: run.publishCall.p50 },
      cpuMicrosPerEvent: run.heraldCpuMicros,
      details: { store: cluster.store, tenants: TENANTS, endpointsPerTenant: ENDPOINTS_PER_TENANT, maxServeRssBytes: maxRss, ...runDetails(run) },
    });
  }
  ctx.log(`  serve RSS max ${mb(maxRss)}`);
}

export const growth: Scenario = {
  name: 'growth',
  description: `SQLite, then PostgreSQL (API + 1 worker): one tenant's rate and CPU an event alone, beside ${TENANTS} idle tenants × ${ENDPOINTS_PER_TENANT} endpoints, and spread over them`,
  async run(ctx) {
    await grow(ctx, { store: 'sqlite', workers: 0, label: 'growth-sqlite' }, 'SQLite');
    await grow(ctx, { store: 'postgres', workers: 1, label: 'growth-postgres' }, 'PostgreSQL, API + 1 worker');
  },
};
