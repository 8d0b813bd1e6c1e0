import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createScratchDatabase, type ScratchDatabase } from '../../bench/lib/scratch-database.js';
import { freePort, sleep, stopProcess, type Exit } from './herald-process.js';

/**
 * Helpers for tests that run Herald as several real processes on one PostgreSQL database:
 * a throwaway database, `herald serve --no-workers` and `herald worker` children, and a
 * loopback receiver that tracks how many requests each path has open at once.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = 'bin/herald.js';
const BUILT = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export const TEST_POSTGRES_URL = process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDatabase = ScratchDatabase;

/** `create database herald_test_<random>` on the test server; drop() removes it, connections and all. */
export const createTestDatabase = (baseUrl = TEST_POSTGRES_URL): Promise<TestDatabase> => createScratchDatabase(baseUrl, 'herald_test');

export interface ClusterProcess {
  readonly role: 'serve' | 'worker';
  readonly child: ChildProcess;
  /** The API URL (serve only). */
  readonly url: string | null;
  readonly exited: Promise<Exit>;
  output(): string;
}

export interface ClusterProcessOptions {
  databaseUrl: string;
  /** HERALD_* settings shared by every process (encryption key, admin token, egress, lease grace). */
  env: Record<string, string>;
  startTimeoutMs?: number;
}

/** Every child started here and not yet exited. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `herald serve --no-workers` on a free loopback port, resolved once `/healthz` answers 200. */
export async function startApiProcess(options: ClusterProcessOptions): Promise<ClusterProcess> {
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    try {
      return await spawnHerald('serve', ['--no-workers', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'], options, port);
    } catch (error) {
      if (tries >= 3 || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

/** `herald worker --no-migrate` (the API process migrated), resolved once it logs that it started. */
export function startWorkerProcess(options: ClusterProcessOptions): Promise<ClusterProcess> {
  return spawnHerald('worker', ['--no-migrate', '--log-level', 'info'], options, null);
}

async function spawnHerald(role: 'serve' | 'worker', args: string[], options: ClusterProcessOptions, port: number | null): Promise<ClusterProcess> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
  const child = spawn(process.execPath, [CLI, role, '--database-url', options.databaseUrl, ...args], {
    cwd: ROOT,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let gone: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      gone = { code, signal };
      resolve(gone);
    });
  });
  const url = port === null ? null : `http://127.0.0.1:${port}`;
  const handle: ClusterProcess = { role, child, url, exited, output: () => output };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (gone) throw new Error(`herald ${role} exited before it was ready (${JSON.stringify(gone)}):\n${output}`);
    if (Date.now() > deadline) {
      await stopProcess(child, 'SIGKILL');
      throw new Error(`herald ${role} was not ready in time:\n${output}`);
    }
    if (url) {
      try {
        if ((await fetch(`${url}/healthz`)).status === 200) return handle;
      } catch {
        // not listening yet
      }
    } else if (output.includes(`herald ${role} started`)) {
      return handle;
    }
    await sleep(50);
  }
}

/** SIGKILLs every child still running: for afterAll, so a failed test leaves no orphan. */
export async function killClusterProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, 'SIGKILL')));
}

/** Settings every process of one test cluster shares. */
export function clusterEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HERALD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HERALD_ADMIN_TOKEN: `cluster-admin-${randomBytes(8).toString('hex')}`,
    HERALD_ALLOW_HTTP: 'true',
    HERALD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
    ...extra,
  };
}

/**
 * About a third of requests fail at random: most answer 500, one in twenty hangs until the
 * sender times out (each hang costs a whole attempt timeout, so they are the slow part).
 */
export function aboutAThirdFailing(): ReceiverAnswer {
  const roll = Math.random();
  return roll < 0.28 ? 'fail' : roll < 1 / 3 ? 'hang' : 'ok';
}

/**
 * Which of `pids` holds the TCP connection whose local port is `port` (a request's
 * `socket.remotePort` at a loopback receiver), read from /proc (Linux): a test can then kill
 * the very process whose attempt is in flight.
 */
export function pidOfConnection(port: number, pids: number[]): number | null {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(local) && fields[9]) inodes.add(`socket:[${fields[9]}]`);
    }
  }
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/** Calls the API of `url` with the admin token. */
export async function callApi<T = any>(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** How the receiver answers a request: 200 after its delay, a 500 at once, or never (the sender times out). */
export type ReceiverAnswer = 'ok' | 'fail' | 'hang';

/**
 * A loopback receiver that counts arrivals per event id and path, and the most requests any
 * one path had open at once (a request is open from its arrival until its socket is done with
 * it: answered, or aborted by a timed-out or killed sender).
 */
export class ConcurrencyReceiver {
  /** Arrivals per `${path} ${eventId}`. */
  readonly arrivals = new Map<string, number>();
  readonly open = new Map<string, number>();
  readonly maxOpen = new Map<string, number>();
  /** `${path} ${eventId}` of every request answered 200, in the order the answers went out. */
  readonly succeeded: string[] = [];
  /** Requests per answer given. */
  readonly answers: Record<ReceiverAnswer, number> = { ok: 0, fail: 0, hang: 0 };
  total = 0;
  onRequest: (path: string, request: IncomingMessage) => void = () => {};
  /** Picks each request's answer; every one is answered 200 unless told otherwise. */
  answer: (path: string) => ReceiverAnswer = () => 'ok';
  #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(delayMs: number): Promise<ConcurrencyReceiver> {
    const receiver: ConcurrencyReceiver = new ConcurrencyReceiver(
      createServer((req: IncomingMessage, res: ServerResponse) => {
        const path = req.url ?? '';
        const open = (receiver.open.get(path) ?? 0) + 1;
        receiver.open.set(path, open);
        receiver.maxOpen.set(path, Math.max(open, receiver.maxOpen.get(path) ?? 0));
        res.once('close', () => receiver.open.set(path, (receiver.open.get(path) ?? 1) - 1));
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          let key: string | null = null;
          try {
            const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string }).id;
            if (id) receiver.arrivals.set((key = `${path} ${id}`), (receiver.arrivals.get(key) ?? 0) + 1);
          } catch {
            // not an envelope: counted in total only
          }
          receiver.total++;
          const answer = receiver.answer(path);
          receiver.answers[answer]++;
          receiver.onRequest(path, req);
          if (answer === 'fail') res.writeHead(500).end('failing on purpose');
          if (answer !== 'ok') return;
          setTimeout(() => {
            if (res.destroyed) return;
            res.writeHead(200).end('ok');
            if (key) receiver.succeeded.push(key);
          }, delayMs);
        });
      }),
    );
    receiver.#server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** How often `eventId` arrived at `path`. */
  count(path: string, eventId: string): number {
    return this.arrivals.get(`${path} ${eventId}`) ?? 0;
  }

  /** The event ids that `path` answered 200, each once, in the order of its first 200. */
  firstSuccesses(path: string): string[] {
    const prefix = `${path} `;
    return [...new Set(this.succeeded.filter((key) => key.startsWith(prefix)))].map((key) => key.slice(prefix.length));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
