import { rate } from '../lib/format.js';
import { maxOf, minOf, perSecond, summarize } from '../lib/stats.js';
import type { BenchContext, Scenario } from './types.js';

const RUNS = 3;
let runs = 0;

async function oneRun(ctx: BenchContext, count: number) {
  const { options, load, receiver } = ctx;
  const idPrefix = `raw${++runs}_${Date.now().toString(36)}`;
  const result = await load.run({ kind: 'raw', url: receiver.url('/ok'), count, connections: options.connections, idPrefix, timeoutMs: options.timeoutMs });
  // Every answer was the receiver's 200, so this only checks the bookkeeping.
  await receiver.waitForIds(result.ids, 10_000);
  const wallMs = maxOf(result.doneAt) - minOf(result.sentAt);
  return { requestsPerSecond: perSecond(count, wallMs), wallMs, latency: summarize(result.doneAt.map((at, i) => at - result.sentAt[i]!)), loadCpuMicros: result.cpuMicros / count };
}

/**
 * The ceiling: the same load generator POSTing Standard-Webhooks-signed envelopes of Herald's
 * size to the same receiver over the same connections, nothing durable; the median of three
 * runs of `--events` requests, after a warm-up. It reports its own row.
 */
export async function measureCeiling(ctx: BenchContext): Promise<number> {
  const { events, connections, warmup } = ctx.options;
  ctx.log(`ceiling: ${RUNS} × ${events} signed POSTs over ${connections} connections`);
  await oneRun(ctx, Math.max(warmup, 1));
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await oneRun(ctx, events));
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[Math.floor(RUNS / 2)]!;
  ctx.report({
    scenario: 'ceiling',
    label: `signed POST, ${connections} connections (median of ${RUNS})`,
    ceiling: median.requestsPerSecond,
    herald: '–',
    ratio: null,
    latency: { p50: median.latency.p50, p99: median.latency.p99 },
    cpuMicrosPerEvent: null,
    details: { runs: results.map((r) => ({ requestsPerSecond: r.requestsPerSecond, wallMs: r.wallMs, p50: r.latency.p50, p99: r.latency.p99, loadCpuMicros: r.loadCpuMicros })) },
  });
  ctx.log(`  ceiling ${rate(median.requestsPerSecond)}/s (runs: ${results.map((r) => rate(r.requestsPerSecond)).join(', ')})`);
  return median.requestsPerSecond;
}

export const ceiling: Scenario = {
  name: 'ceiling',
  description: 'the raw signed-POST ceiling alone (every comparison measures it once per run anyway)',
  run: async (ctx) => void (await ctx.ceiling()),
};
