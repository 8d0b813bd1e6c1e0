import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { removeDir } from './herald.js';
import { Receiver, type Responder } from './receiver.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = 'bin/herald.js';
const BUILT = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HeraldProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<Exit>;
  /** What the process wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export interface HeraldProcessOptions {
  databaseUrl: string;
  adminToken: string;
  /** Extra environment variables (the parent's HERALD_* variables are never passed on). */
  env?: Record<string, string>;
  /** Node's own flags, before the script (`--max-old-space-size=512`). */
  nodeArgs?: string[];
  startTimeoutMs?: number;
}

/** Every child started here and not yet exited: `killHeraldProcesses` ends them. */
const running = new Set<ChildProcess>();

// Last resort: a test worker that exits without its hooks running still leaves no orphan.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `node bin/herald.js serve --dev …` as a real child process on loopback, resolved once
 * `/healthz` answers 200. It runs the built CLI, so `npm run build` must have run.
 */
export async function startHeraldProcess(options: HeraldProcessOptions): Promise<HeraldProcess> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    try {
      return await spawnOnPort(options, port);
    } catch (error) {
      // Another process may have taken the port between freePort() and listen(): try another.
      if (tries >= 3 || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

async function spawnOnPort(options: HeraldProcessOptions, port: number): Promise<HeraldProcess> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), CLI, 'serve', '--dev', '--host', '127.0.0.1', '--port', String(port), '--database-url', options.databaseUrl, '--admin-token', options.adminToken, '--log-level', 'warn'],
    { cwd: ROOT, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const herald: HeraldProcess = {
    child,
    url,
    exited,
    output: () => output,
    async api(method, path, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${options.adminToken}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  let gone: Exit | null = null;
  void exited.then((exit) => (gone = exit));
  for (;;) {
    if (gone) throw new Error(`herald exited before it was healthy (${JSON.stringify(gone)}):\n${output}`);
    if (Date.now() > deadline) {
      await stopProcess(child, 'SIGKILL');
      throw new Error(`herald did not answer /healthz in time:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return herald;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
}

/** Sends `signal` and resolves once the child has exited (at once if it already had). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/** SIGKILLs every child still running; for afterEach/afterAll, so a failed test leaves no orphan. */
export async function killHeraldProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, 'SIGKILL')));
}

/** A port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection with `message()` once `ms` have passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a process test makes and must not leave behind: a temporary directory and a receiver,
 * removed after each test together with every Herald process still running.
 */
export function processTestScratch(prefix: string): { dir(): string; receiver(responder?: Responder): Promise<Receiver> } {
  let dir: string | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await killHeraldProcesses();
    await receiver?.close();
    receiver = null;
    if (dir) removeDir(dir);
    dir = null;
  });
  return {
    dir: () => (dir = mkdtempSync(join(tmpdir(), prefix))),
    receiver: async (responder) => (receiver = await Receiver.start(responder)),
  };
}
