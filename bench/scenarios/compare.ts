import { measureHerald } from './measure-herald.js';
import { measureRaw } from './measure-raw.js';
import type { BenchContext } from './types.js';

/** The raw ceiling, then Herald, at the same count and concurrency: two rows and the ratio. */
export async function compareWithRaw(ctx: BenchContext, scenario: string, count: number, concurrency: number): Promise<void> {
  let ceiling: number | null = null;
  if (!ctx.options.skipRaw) {
    ctx.log(`${scenario}: raw HTTP, ${count} requests, concurrency ${concurrency}`);
    const raw = await measureRaw(ctx, count, concurrency);
    ceiling = raw.requestsPerSecond;
    ctx.report({
      scenario,
      path: 'raw HTTP',
      concurrency,
      count,
      throughput: raw.requestsPerSecond,
      acceptRate: null,
      latency: raw.latency,
      percentOfRaw: null,
      cpuMicrosPerItem: raw.cpu.benchMicros,
      details: { wallMs: raw.wallMs, cpuMicrosPerItem: raw.cpu },
    });
  }
  ctx.log(`${scenario}: Herald, ${count} events, concurrency ${concurrency}`);
  const herald = await measureHerald(ctx, count, concurrency);
  ctx.report({
    scenario,
    path: 'Herald',
    concurrency,
    count,
    throughput: herald.deliveriesPerSecond,
    acceptRate: herald.acceptsPerSecond,
    latency: herald.endToEnd,
    percentOfRaw: ceiling ? (100 * herald.deliveriesPerSecond) / ceiling : null,
    cpuMicrosPerItem: herald.cpu.benchMicros,
    details: { wallMs: herald.wallMs, publishRoundTrip: herald.publishRoundTrip, duplicates: herald.duplicates, cpuMicrosPerItem: herald.cpu },
  });
}
