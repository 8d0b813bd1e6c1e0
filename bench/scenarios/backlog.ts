import { startCluster, type HeraldCluster } from '../lib/herald-cluster.js';
import { BENCH_TENANT, setupTenant } from '../lib/herald-setup.js';
import { mb, percent, rate } from '../lib/format.js';
import { now } from '../lib/clock.js';
import { sampleMaxRss } from '../lib/proc-stats.js';
import { maxOf, perSecond, summarize } from '../lib/stats.js';
import { onPath } from '../lib/watch.js';
import type { LoadResult } from '../load/load-protocol.js';
import { measureDeliveries, publish } from './measure-deliveries.js';
import type { BenchContext, Scenario } from './types.js';

const PATH = '/ok/backlog';
/** Generous bounds for the long phases: 5 ms per event, never less than `--timeout-ms`. */
const boundFor = (ctx: BenchContext, events: number) => Math.max(ctx.options.timeoutMs, 5 * events);

/** Accepted publishes/s over the first and the last tenth of a closed-loop run. */
function tenths(published: LoadResult): { first: number; last: number } {
  const done = [...published.doneAt].sort((a, b) => a - b);
  const tenth = Math.max(1, Math.floor(done.length / 10));
  const span = (from: number, to: number) => done[to]! - done[from]!;
  return { first: perSecond(tenth, span(0, tenth)), last: perSecond(tenth, span(done.length - 1 - tenth, done.length - 1)) };
}

async function fillAndDrain(ctx: BenchContext, herald: HeraldCluster, endpointId: string) {
  const endpoint = `/api/v1/tenants/${BENCH_TENANT}/endpoints/${endpointId}`;
  const watch = onPath(ctx.receiver, PATH);
  const steady = await measureDeliveries(ctx, herald, { count: ctx.options.events, batchSize: 1, ratePerSecond: null, watch });
  ctx.log(`  steady ${rate(steady.deliveriesPerSecond)}/s; disabling the endpoint, publishing ${ctx.options.backlog}`);
  await herald.admin('POST', `${endpoint}/disable`);
  const cpuBefore = herald.cpuMicros();
  const { published, enabledAt } = await herald.timed(async () => {
    const events = await publish(ctx, herald, { count: ctx.options.backlog, timeoutMs: boundFor(ctx, ctx.options.backlog) });
    ctx.log('  enabling the endpoint, draining');
    const enabled = now();
    await herald.admin('POST', `${endpoint}/enable`);
    await watch.wait(events.ids, boundFor(ctx, ctx.options.backlog));
    return { published: events, enabledAt: enabled };
  });
  const drainMs = maxOf(published.ids.map((id) => watch.arrivedAt(id))) - enabledAt;
  const cpuMicros = (herald.cpuMicros() - cpuBefore) / ctx.options.backlog;
  return { steady, published, drain: perSecond(ctx.options.backlog, drainMs), drainMs, cpuMicros };
}

export const backlog: Scenario = {
  name: 'backlog',
  description: 'SQLite: --backlog N pending deliveries (endpoint disabled, then enabled): publish rate first vs last tenth, max RSS, drain vs steady rate',
  async run(ctx) {
    const n = ctx.options.backlog;
    ctx.log(`backlog: ${n} pending deliveries`);
    const herald = await startCluster(ctx, { store: 'sqlite', workers: 0, label: 'backlog' });
    const rss = sampleMaxRss(herald.servePid);
    try {
      const [endpointId] = await setupTenant(herald, ctx.receiver, { endpointPaths: [PATH] });
      const r = await fillAndDrain(ctx, herald, endpointId!);
      const maxRss = rss.stop();
      const t = tenths(r.published);
      const publishCall = summarize(r.published.doneAt.map((at, i) => at - r.published.sentAt[i]!));
      const common = { ceiling: null, ratio: null, cpuMicrosPerEvent: r.cpuMicros, scenario: 'backlog' };
      ctx.report({
        ...common,
        label: `SQLite, publish into ${rate(n)} pending`,
        herald: `first tenth ${rate(t.first)}/s, last ${rate(t.last)}/s (${percent(t.last / t.first)})`,
        latency: null,
        details: { backlog: n, firstTenthPerSecond: t.first, lastTenthPerSecond: t.last, publishCall, maxRssBytes: maxRss },
      });
      ctx.report({
        ...common,
        label: `SQLite, drain after enabling; RSS max ${mb(maxRss)}`,
        herald: `${rate(r.drain)}/s vs steady ${rate(r.steady.deliveriesPerSecond)}/s (${percent(r.drain / r.steady.deliveriesPerSecond)})`,
        latency: null,
        details: { backlog: n, drainPerSecond: r.drain, drainMs: r.drainMs, steadyPerSecond: r.steady.deliveriesPerSecond, maxRssBytes: maxRss },
      });
      ctx.log(`  publish ${rate(t.first)} → ${rate(t.last)}/s, drain ${rate(r.drain)}/s, RSS max ${mb(maxRss)}`);
    } finally {
      rss.stop();
      await herald.close();
    }
  },
};
