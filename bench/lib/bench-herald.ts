import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, startHerald, type Herald } from '../../src/main.js';
import { onCleanup } from './cleanup.js';

export const ADMIN_TOKEN = 'bench-admin-token';

export interface BenchHerald {
  herald: Herald;
  url: string;
  /** Calls the API with the admin token (never rate-limited); throws unless the status is expected. */
  admin<T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, expect?: number[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * A Herald in this process, as `herald serve --dev` would run it: API and workers, a fresh
 * SQLite file in a temp dir, port 0 on loopback, quiet logs. `overrides` lets a scenario
 * change the config (e.g. `workers: false`, a PostgreSQL URL).
 */
export async function startBenchHerald(overrides: Partial<Config> = {}): Promise<BenchHerald> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const config: Config = {
    ...loadConfig({ dev: true, port: 0, host: '127.0.0.1', adminToken: ADMIN_TOKEN, databaseUrl: `sqlite:${join(dir, 'herald.db')}`, logLevel: 'warn' }, {}),
    ...overrides,
  };
  let herald: Herald;
  try {
    herald = await startHerald(config, createLogger(config.logLevel));
  } catch (error) {
    removeDir();
    throw error;
  }
  const url = herald.url!;
  const pool = new Pool(url, { connections: 2 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    removeCleanup();
    await pool.close();
    await herald.close();
    removeDir();
  };
  const removeCleanup = onCleanup(close);

  return {
    herald,
    url,
    close,
    async admin(method, path, body, expect = [200, 201, 202, 204]) {
      const response = await pool.request({
        method,
        path,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      if (!expect.includes(response.statusCode)) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : null) as any;
    },
  };
}
