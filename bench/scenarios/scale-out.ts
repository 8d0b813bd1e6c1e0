import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { now } from '../lib/clock.js';
import { createDatabase, sharedEnv, startServe, startWorker, type HeraldChild } from '../lib/herald-processes.js';
import { runConcurrent } from '../lib/load.js';
import { eventData } from '../lib/payload.js';
import { maxOf, minOf, perSecond, summarize } from '../lib/stats.js';
import { measureRaw } from './measure-raw.js';
import type { BenchContext, ResultRow } from './types.js';

/**
 * Scale-out: Herald as separate processes. SQLite runs one `herald serve` (API and workers);
 * PostgreSQL runs one `herald serve --no-workers` plus N `herald worker`s. Events are spread
 * over SHARDS endpoints (one event type each, so every event is one delivery): a single
 * endpoint would cap the whole cluster at its in-flight limit (16) whatever N is.
 */

const SHARDS = 8;
const ADMIN_TOKEN = 'bench-scale-out-admin-token';
const TENANT = 'bench';

interface Cluster {
  url: string;
  procs: HeraldChild[];
  close(): Promise<void>;
}

async function admin(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function startCluster(ctx: BenchContext, store: 'sqlite' | 'postgres', workers: number): Promise<Cluster> {
  const env = sharedEnv(ADMIN_TOKEN);
  const procs: HeraldChild[] = [];
  let cleanup: () => Promise<void>;
  let databaseUrl: string;
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'herald-bench-scale-'));
    databaseUrl = `sqlite:${join(dir, 'herald.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const database = await createDatabase(ctx.options.postgresUrl);
    databaseUrl = database.url;
    cleanup = () => database.drop();
  }
  const close = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await cleanup();
  };
  try {
    const api = await startServe(databaseUrl, env, store === 'sqlite');
    procs.push(api.proc);
    procs.push(...(await Promise.all(Array.from({ length: store === 'sqlite' ? 0 : workers }, () => startWorker(databaseUrl, env)))));
    await admin(api.url, 'POST', '/api/v1/tenants', { id: TENANT, name: 'Bench' });
    for (let shard = 0; shard < SHARDS; shard++) {
      await admin(api.url, 'POST', '/api/v1/event-types', { name: `bench.shard${shard}`, description: 'bench traffic' });
      await admin(api.url, 'POST', `/api/v1/tenants/${TENANT}/endpoints`, { url: ctx.receiver.url(`/ok/${shard}`), eventTypes: [`bench.shard${shard}`] });
    }
    return { url: api.url, procs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function publish(url: string, count: number, concurrency: number, base: number) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const published: Array<{ id: string; sentAt: number; acceptedAt: number }> = new Array(count);
  try {
    await runConcurrent(count, concurrency, async (i) => {
      const body = JSON.stringify({ type: `bench.shard${(base + i) % SHARDS}`, data: eventData(base + i) });
      const sentAt = now();
      const response = await pool.request({ method: 'POST', path: `/api/v1/tenants/${TENANT}/events`, headers, body });
      const text = await response.body.text();
      if (response.statusCode !== 202) throw new Error(`publish answered ${response.statusCode}: ${text.slice(0, 300)}`);
      published[i] = { id: (JSON.parse(text) as { id: string }).id, sentAt, acceptedAt: now() };
    });
    return published;
  } finally {
    await pool.close();
  }
}

async function measureCluster(ctx: BenchContext, store: 'sqlite' | 'postgres', workers: number, ceiling: number | null): Promise<void> {
  const label = store === 'sqlite' ? 'SQLite, 1 process' : `PostgreSQL, API + ${workers} worker${workers === 1 ? '' : 's'}`;
  const { events: count, concurrency } = ctx.options;
  ctx.log(`scale-out: ${label}, ${count} events, concurrency ${concurrency}`);
  const cluster = await startCluster(ctx, store, workers);
  try {
    const warm = await publish(cluster.url, ctx.options.warmup, concurrency, 0);
    await ctx.receiver.waitForIds(warm.map((e) => e.id), ctx.options.timeoutMs);
    const published = await publish(cluster.url, count, concurrency, ctx.options.warmup);
    const firstSent = minOf(published.map((e) => e.sentAt));
    const lastAccept = maxOf(published.map((e) => e.acceptedAt));
    await ctx.receiver.waitForIds(published.map((e) => e.id), ctx.options.timeoutMs);
    const arrivals = published.map((e) => ctx.receiver.arrivals.get(e.id)!);
    const wallMs = maxOf(arrivals.map((a) => a.first)) - firstSent;
    const throughput = perSecond(count, wallMs);
    const row: ResultRow = {
      scenario: 'scale-out',
      path: label,
      concurrency,
      count,
      throughput,
      acceptRate: perSecond(count, lastAccept - firstSent),
      latency: summarize(published.map((e, i) => arrivals[i]!.first - e.sentAt)),
      percentOfRaw: ceiling ? (100 * throughput) / ceiling : null,
      details: { store, workers: store === 'sqlite' ? null : workers, shards: SHARDS, wallMs, duplicates: arrivals.filter((a) => a.count > 1).length },
    };
    ctx.report(row);
    ctx.log(`  ${label}: ${throughput.toFixed(0)} deliveries/s`);
  } finally {
    await cluster.close();
  }
}

export const scaleOut = {
  name: 'scale-out',
  description: 'Herald as processes: SQLite (one serve) and, with --store postgres, serve --no-workers + N workers (--workers 1,2,4)',
  async run(ctx: BenchContext) {
    let ceiling: number | null = null;
    if (!ctx.options.skipRaw) {
      ctx.log(`scale-out: raw HTTP, ${ctx.options.events} requests, concurrency ${ctx.options.concurrency}`);
      const raw = await measureRaw(ctx, ctx.options.events, ctx.options.concurrency);
      ceiling = raw.requestsPerSecond;
      ctx.report({
        scenario: 'scale-out',
        path: 'raw HTTP',
        concurrency: ctx.options.concurrency,
        count: ctx.options.events,
        throughput: raw.requestsPerSecond,
        acceptRate: null,
        latency: raw.latency,
        percentOfRaw: null,
        details: { wallMs: raw.wallMs },
      });
    }
    await measureCluster(ctx, 'sqlite', 0, ceiling);
    if (ctx.options.store === 'postgres') {
      for (const workers of ctx.options.workers) await measureCluster(ctx, 'postgres', workers, ceiling);
    }
  },
};
