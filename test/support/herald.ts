import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, startHerald, type Herald } from '../../src/main.js';

export const ADMIN_TOKEN = 'test-admin-token';

export interface TestHerald extends Herald {
  url: string;
  dir: string;
  /** Calls the API with the admin token unless another is given; answers status and JSON. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * A real Herald on a fresh SQLite file, listening on loopback, with loopback receivers
 * allowed (as `--dev` does). `dir` keeps the database so a test can restart on it.
 */
export async function startTestHerald(overrides: Partial<Config> = {}, dir = mkdtempSync(join(tmpdir(), 'herald-'))): Promise<TestHerald> {
  const config: Config = {
    ...loadConfig({ dev: true, port: 0, adminToken: ADMIN_TOKEN, databaseUrl: `sqlite:${join(dir, 'herald.db')}` }, {}),
    ...overrides,
  };
  const herald = await startHerald(config, createLogger('silent'));
  const url = herald.url!;
  return {
    ...herald,
    url,
    dir,
    async api(method, path, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
    },
    async stop() {
      await herald.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls until `check` answers a value, for state that settles asynchronously. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Calls `/api/v1` as the admin and answers the body; any status from 300 up throws, saying what came back. */
export async function adminCall<T = any>(herald: TestHerald, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await herald.api(method, `/api/v1${path}`, body);
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}
