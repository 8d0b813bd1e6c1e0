import { Pool } from 'undici';
import { now } from '../lib/clock.js';
import { startCpuMeter, type CpuPerItem } from '../lib/cpu-meter.js';
import { runConcurrent } from '../lib/load.js';
import { rawEnvelope, rawHeaders } from '../lib/payload.js';
import { perSecond, summarize, type Summary } from '../lib/stats.js';
import type { BenchContext } from './types.js';

export interface RawResult {
  count: number;
  concurrency: number;
  wallMs: number;
  requestsPerSecond: number;
  latency: Summary;
  cpu: CpuPerItem;
}

let runs = 0;

/**
 * The ceiling: the same receiver, the same body and header sizes, plain keep-alive POSTs from
 * one undici Pool with one connection per client, no database, no signing. Herald's delivery
 * side can at best match this; its publish side adds a second exchange of the same kind.
 */
export async function measureRaw(ctx: BenchContext, count: number, concurrency: number): Promise<RawResult> {
  const run = `raw${++runs}_${Date.now().toString(36)}`;
  const target = new URL(ctx.receiver.url('/ok'));
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  try {
    const post = async (id: string, seq: number): Promise<void> => {
      const response = await pool.request({ method: 'POST', path: target.pathname, headers: rawHeaders(id), body: rawEnvelope(id, seq) });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`raw POST answered ${response.statusCode}`);
    };
    await runConcurrent(ctx.options.warmup, concurrency, (i) => post(`${run}_warm_${i}`, i));

    const latencies: number[] = new Array(count);
    const ids: string[] = new Array(count);
    let last = 0;
    const meter = await startCpuMeter(ctx.receiver);
    const start = now();
    await runConcurrent(count, concurrency, async (i) => {
      const id = `${run}_${i}`;
      ids[i] = id;
      const sent = now();
      await post(id, i);
      const done = now();
      latencies[i] = done - sent;
      if (done > last) last = done;
    });
    // Every response was a 200 from the receiver, so this is only a check of the bookkeeping.
    await ctx.receiver.waitForIds(ids, 10_000);
    const cpu = await meter(count);
    const wallMs = last - start;
    return { count, concurrency, wallMs, requestsPerSecond: perSecond(count, wallMs), latency: summarize(latencies), cpu };
  } finally {
    await pool.close();
  }
}
