import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';

/**
 * Herald as real child processes, the way a cluster runs it: `herald serve` (optionally
 * `--no-workers`) and `herald worker`s, all on one database. Everything started here is
 * registered with the bench's cleanup, so a failed or interrupted run leaves no orphan.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../../bin/herald.js', import.meta.url));

export interface HeraldChild {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function sharedEnv(adminToken: string): Record<string, string> {
  return {
    HERALD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HERALD_ADMIN_TOKEN: adminToken,
    HERALD_ALLOW_HTTP: 'true',
    HERALD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
    HERALD_LOG_LEVEL: 'warn',
  };
}

/** Node flags for Herald's processes, e.g. `--cpu-prof`; none by default. */
export type NodeArgs = string[];

function spawnHerald(args: string[], env: Record<string, string>, nodeArgs: NodeArgs): HeraldChild {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
  const stop = async () => {
    removeCleanup();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // Long enough for `close()` to drain attempts in flight and for `--cpu-prof` to write its file.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const removeCleanup = onCleanup(stop);
  return { child, output: () => output, stop };
}

/** `herald serve` on a free loopback port, resolved with its URL once /healthz answers. */
export async function startServe(databaseUrl: string, env: Record<string, string>, workers: boolean, nodeArgs: NodeArgs = [], heraldArgs: string[] = []): Promise<{ proc: HeraldChild; url: string }> {
  const port = await freePort();
  const args = ['serve', '--database-url', databaseUrl, '--host', '127.0.0.1', '--port', String(port), ...(workers ? [] : ['--no-workers']), ...heraldArgs];
  const proc = spawnHerald(args, env, nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`herald serve exited early:\n${proc.output()}`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`herald serve not healthy in 30 s:\n${proc.output()}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return { proc, url };
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `herald worker --no-migrate`, resolved once it logged that it started. */
export async function startWorker(databaseUrl: string, env: Record<string, string>, nodeArgs: NodeArgs = [], heraldArgs: string[] = []): Promise<HeraldChild> {
  const proc = spawnHerald(['worker', '--no-migrate', '--database-url', databaseUrl, '--log-level', 'info', ...heraldArgs], env, nodeArgs);
  const deadline = Date.now() + 30_000;
  while (!proc.output().includes('herald worker started')) {
    if (proc.child.exitCode !== null) throw new Error(`herald worker exited early:\n${proc.output()}`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`herald worker did not start in 30 s:\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return proc;
}

/** A fresh database on the server of `baseUrl`, dropped by the bench's cleanup too; drop() removes it. */
export async function createDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const database = await createScratchDatabase(baseUrl, 'herald_bench');
  const removeCleanup = onCleanup(database.drop);
  return {
    url: database.url,
    async drop() {
      removeCleanup();
      await database.drop();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
