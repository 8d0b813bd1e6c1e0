import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onCleanup } from './cleanup.js';
import { summarizeProfile, type Profile, type Windows } from './cpuprofile-summary.js';
import { createDatabase, sharedEnv, startServe, startWorker, type HeraldChild } from './herald-processes.js';
import { cpuMicrosOf } from './proc-stats.js';
import type { BenchContext } from '../scenarios/types.js';

export const ADMIN_TOKEN = 'bench-admin-token';
/** How long a worker is left to finish its last record before another's warm-up pauses it. */
const WORKER_SETTLE_MS = 500;

export interface ClusterSpec {
  store: 'sqlite' | 'postgres';
  /** PostgreSQL: `herald worker` processes beside `serve --no-workers`; SQLite: ignored (one `serve`). */
  workers: number;
  /** Names the profiles, e.g. "sqlite-single". */
  label: string;
}

/** Herald as the bench runs it: real processes on a fresh database, loopback only. */
export interface HeraldCluster {
  url: string;
  /** The process that serves the API (and, on SQLite, delivers). */
  servePid: number;
  /** Calls the API with the admin token; throws unless the answer is 2xx. */
  admin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** User + system CPU of every Herald process so far, µs. */
  cpuMicros(): number;
  /** The same for each process: serve first, then the workers. */
  cpuMicrosEach(): number[];
  /**
   * Runs a warm-up once per delivering process, the other workers paused meanwhile (SIGSTOP):
   * one endpoint's cycle stays with the worker that holds it, so without this one worker took
   * the whole warm-up and the other ran the timed part on unoptimised code (2 workers measured
   * at 58 % of 1; each process's own first thousands of attempts cost about twice the CPU).
   */
  warmEach<T>(part: () => Promise<T>): Promise<T[]>;
  /** Runs the timed part of a scenario; with `--cpu-prof`, the profile summaries count only these spans. */
  timed<T>(part: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function freshDatabase(ctx: BenchContext, store: ClusterSpec['store']): Promise<{ url: string; drop(): Promise<void> }> {
  if (store === 'postgres') return createDatabase(ctx.options.postgresUrl);
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const drop = async () => {
    removeCleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  const removeCleanup = onCleanup(drop);
  return { url: `sqlite:${join(dir, 'herald.db')}`, drop };
}

function profileArgs(ctx: BenchContext, spec: ClusterSpec, role: string): string[] {
  if (!ctx.options.cpuProfDir) return [];
  return ['--cpu-prof', '--cpu-prof-dir', resolve(ctx.options.cpuProfDir), '--cpu-prof-name', `${spec.label}-${role}.cpuprofile`];
}

/** Summarises each process's profile (written when it exited) beside it and for the report. */
function reportProfiles(ctx: BenchContext, spec: ClusterSpec, roles: string[], windows: Windows): void {
  if (!ctx.options.cpuProfDir) return;
  for (const role of roles) {
    const file = resolve(ctx.options.cpuProfDir, `${spec.label}-${role}.cpuprofile`);
    try {
      const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, 25, windows);
      writeFileSync(`${file}.txt`, summary.text);
      ctx.reportProfile(`${spec.label}, herald ${role} (${file})`, summary.topFunctions);
    } catch (error) {
      ctx.log(`no profile for ${spec.label} ${role}: ${(error as Error).message}`);
    }
  }
}

export async function startCluster(ctx: BenchContext, spec: ClusterSpec): Promise<HeraldCluster> {
  if (ctx.options.cpuProfDir) mkdirSync(ctx.options.cpuProfDir, { recursive: true });
  const env = sharedEnv(ADMIN_TOKEN);
  const database = await freshDatabase(ctx, spec.store);
  const procs: HeraldChild[] = [];
  // On SQLite `serve` makes its exchanges on a thread of its own, which writes its own profile.
  const roles = spec.store === 'sqlite' ? ['serve', 'serve-delivery'] : ['serve'];
  const windows: Windows = [];
  const close = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await database.drop();
    reportProfiles(ctx, spec, roles, windows);
  };
  const timed = async <T>(part: () => Promise<T>): Promise<T> => {
    const micros = () => Number(process.hrtime.bigint() / 1000n);
    const from = micros();
    try {
      return await part();
    } finally {
      windows.push([from, micros()]);
    }
  };
  try {
    const withWorkers = spec.store === 'sqlite';
    const api = await startServe(database.url, env, withWorkers, profileArgs(ctx, spec, 'serve'), ctx.options.heraldArgs);
    procs.push(api.proc);
    for (let w = 1; !withWorkers && w <= spec.workers; w++) {
      roles.push(`worker-${w}`);
      procs.push(await startWorker(database.url, env, profileArgs(ctx, spec, `worker-${w}`), ctx.options.heraldArgs));
    }
    const pids = procs.map((p) => p.child.pid!);
    const cpuMicrosEach = () => pids.map(cpuMicrosOf);
    const workerPids = pids.slice(1);
    const warmEach = async <T>(part: () => Promise<T>): Promise<T[]> => {
      if (workerPids.length < 2) return [await part()];
      const results: T[] = [];
      for (const alone of workerPids) {
        // The last part's records may still be committing: a worker paused inside a transaction
        // would hold its endpoint's row lock, and the other's claims skip locked rows.
        await new Promise((resolve) => setTimeout(resolve, WORKER_SETTLE_MS));
        const paused = workerPids.filter((pid) => pid !== alone);
        for (const pid of paused) process.kill(pid, 'SIGSTOP');
        try {
          results.push(await part());
        } finally {
          for (const pid of paused) process.kill(pid, 'SIGCONT');
        }
      }
      return results;
    };
    return {
      url: api.url,
      servePid: pids[0]!,
      admin: (method, path, body) => admin(api.url, method, path, body),
      cpuMicros: () => cpuMicrosEach().reduce((sum, micros) => sum + micros, 0),
      cpuMicrosEach,
      warmEach,
      timed,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
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
