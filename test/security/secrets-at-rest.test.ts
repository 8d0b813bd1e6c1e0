import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/signing/index.js';
import { echoChallenge } from '../support/delivery.js';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { freePort, withTimeout } from '../support/herald-process.js';
import { Receiver } from '../support/receiver.js';

/** Issue 5, secrets at rest: nothing a customer or operator must keep secret is in the database file. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = SecretBox.generateKey();
const CUSTOMER_SECRET = 'customer-own-secret-7f3a9c2e51';
const VERIFY_TOKEN = 'verify-token-b81d44e0c3';

let herald: TestHerald;
let receiver: Receiver;
let dir: string;
const plaintexts: Record<string, string> = {};

function databaseBytes(): Buffer {
  const file = join(dir, 'herald.db');
  const parts = [readFileSync(file)];
  if (existsSync(`${file}-wal`)) parts.push(readFileSync(`${file}-wal`));
  return Buffer.concat(parts);
}

function expectNoPlaintext(): void {
  const bytes = databaseBytes();
  expect(bytes.length).toBeGreaterThan(0);
  for (const [what, value] of Object.entries(plaintexts)) {
    expect(value.length, what).toBeGreaterThanOrEqual(8);
    expect(bytes.includes(Buffer.from(value, 'utf8')), `${what} is in the database file in plain text`).toBe(false);
  }
}

beforeAll(async () => {
  receiver = await Receiver.start(echoChallenge);
  herald = await startTestHerald({ encryptionKey: KEY });
  dir = herald.dir;
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'vault', name: 'Vault' })).status).toBe(201);
  const create = async (body: Record<string, unknown>) => {
    const answer = await herald.api('POST', '/api/v1/tenants/vault/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['*'], ...body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { id: string; secret: string | null };
  };
  const generated = await create({});
  plaintexts.generatedSecret = generated.secret!;
  plaintexts.generatedSecretBase64 = generated.secret!.slice('whsec_'.length);
  expect((await create({ secret: CUSTOMER_SECRET })).secret).toBe(CUSTOMER_SECRET);
  plaintexts.customerSecret = CUSTOMER_SECRET;
  await create({ verifyToken: VERIFY_TOKEN });
  plaintexts.verifyToken = VERIFY_TOKEN;
  const rotated = await herald.api('POST', `/api/v1/tenants/vault/endpoints/${generated.id}/rotate-secret`, { gracePeriodSeconds: 3600 });
  expect(rotated.status).toBe(200);
  plaintexts.rotatedSecret = rotated.body.secret;
  const key = await herald.api('POST', '/api/v1/tenants/vault/api-keys');
  expect(key.status).toBe(201);
  plaintexts.apiKey = key.body.key;
  const portal = await herald.api('POST', '/api/v1/tenants/vault/portal-token', {});
  expect(portal.status).toBe(201);
  plaintexts.portalToken = portal.body.token;
  plaintexts.adminToken = ADMIN_TOKEN;
  plaintexts.encryptionKey = KEY;
  // The credentials work, so they really are the ones stored.
  expect((await herald.api('GET', '/api/v1/tenants/vault', undefined, plaintexts.apiKey)).status).toBe(200);
  expect((await herald.api('GET', '/api/v1/tenants/vault', undefined, plaintexts.portalToken)).status).toBe(200);
});

afterAll(async () => {
  await herald?.stop().catch(() => {});
  await receiver?.close();
  if (dir) removeDir(dir);
});

describe('the SQLite file', () => {
  it('holds no secret, token or key in plain text while Herald runs (main file and WAL)', () => {
    expectNoPlaintext();
  });

  it('holds sealed values and hashes instead', () => {
    const db = new Database(join(dir, 'herald.db'), { readonly: true, fileMustExist: true });
    try {
      const endpoints = db.prepare('SELECT secret, previous_secret, verify_token FROM endpoints').all() as Array<Record<string, string | null>>;
      expect(endpoints).toHaveLength(3);
      const sealed = endpoints.flatMap((row) => Object.values(row)).filter((value): value is string => value !== null);
      // 3 secrets, 1 previous secret (rotation with a grace period), 1 verify token.
      expect(sealed).toHaveLength(5);
      for (const value of sealed) expect(value).toMatch(/^v2\./);
      const credentials = db.prepare('SELECT hash FROM credentials').all() as Array<{ hash: string }>;
      expect(credentials).toHaveLength(2);
      for (const { hash } of credentials) expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(new SecretBox(SecretBox.parseKey(KEY)).open(endpoints.find((row) => row.previous_secret)!.previous_secret!)).toBe(plaintexts.generatedSecret);
    } finally {
      db.close();
    }
  });

  it('still holds none of them after Herald stops and checkpoints', async () => {
    await herald.stop();
    expectNoPlaintext();
  });
});

describe('a wrong encryption key', () => {
  it('makes startHerald refuse the store', async () => {
    await expect(startTestHerald({ encryptionKey: SecretBox.generateKey() }, dir)).rejects.toThrow(/cannot decrypt this store/);
  });

  it('makes `herald serve` exit non-zero', async () => {
    const port = await freePort();
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
    const child = spawn(
      process.execPath,
      ['bin/herald.js', 'serve', '--host', '127.0.0.1', '--port', String(port), '--database-url', `sqlite:${join(dir, 'herald.db')}`, '--admin-token', ADMIN_TOKEN, '--log-level', 'error'],
      { cwd: ROOT, env: { ...env, HERALD_ENCRYPTION_KEY: SecretBox.generateKey() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exit = await withTimeout(
      new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
      15_000,
      () => {
        child.kill('SIGKILL');
        return `herald serve kept running with a wrong key:\n${output}`;
      },
    );
    expect(exit.signal, output).toBeNull();
    expect(exit.code, output).not.toBe(0);
    expect(output).toMatch(/cannot decrypt this store/);
    expect(output).not.toContain(KEY);
  });

  it('leaves the store usable with the right key', async () => {
    const again = await startTestHerald({ encryptionKey: KEY }, dir);
    try {
      const endpoints = await again.api('GET', '/api/v1/tenants/vault/endpoints');
      expect(endpoints.status).toBe(200);
      expect(endpoints.body.data).toHaveLength(3);
      expect(JSON.stringify(endpoints.body)).not.toContain(CUSTOMER_SECRET);
    } finally {
      await again.stop();
    }
  });
});
