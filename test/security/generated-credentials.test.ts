import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCredentials } from '../../src/bootstrap.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SecretBox } from '../../src/signing/index.js';
import { removeDir } from '../support/herald.js';
import { freePort, sleep, stopProcess } from '../support/herald-process.js';

/** Issue 12: what Herald generates on a first start goes to files, never to a journal or the database. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const dirs: string[] = [];
const schemas: string[] = [];

afterAll(async () => {
  for (const dir of dirs) removeDir(dir);
  if (schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${schemas.map((s) => `"${s}"`).join(', ')} cascade`);
  await admin.end();
});

describe('`herald serve` on a new SQLite database, stderr not a terminal', () => {
  it('writes the admin token to a 0600 file it names, and keeps only its hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-generated-'));
    dirs.push(dir);
    const file = join(dir, 'herald.db');
    const port = await freePort();
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
    const child = spawn(process.execPath, ['bin/herald.js', 'serve', '--port', String(port), '--database-url', `sqlite:${file}`, '--log-level', 'warn'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      // Generous: on a loaded machine a cold start has taken 15 s.
      for (let i = 0; i < 1200 && !output.includes('Admin token written to') && child.exitCode === null; i++) await sleep(50);
      expect(output).toContain(`Admin token written to ${file}.admin-token (mode 0600)`);
      expect(output).toContain(`Encryption key generated into ${file}.key (mode 0600)`);
      expect(statSync(`${file}.admin-token`).mode & 0o777).toBe(0o600);
      const token = readFileSync(`${file}.admin-token`, 'utf8').trim();
      expect(token).toMatch(/^hadm_/);
      expect(output).not.toContain(token);
      expect(output).not.toContain(readFileSync(`${file}.key`, 'utf8').trim());
      const me = await fetch(`http://127.0.0.1:${port}/api/v1/tenants`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
    } finally {
      await stopProcess(child, 'SIGTERM');
    }
    const db = new Database(file, { readonly: true });
    try {
      const meta = db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
      expect(meta.map((m) => m.key).sort()).toEqual(['admin_token_sha256', 'encryption_key_check', 'sealed_values_version']);
    } finally {
      db.close();
    }
  }, 90_000);
});

describe('PostgreSQL', () => {
  async function freshStore() {
    const schema = `herald_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const store = await openPostgresStore(PG_URL, { schema });
    await store.migrate();
    return store;
  }

  it('refuses to start without HERALD_ENCRYPTION_KEY or HERALD_ADMIN_TOKEN, naming the variable', async () => {
    const store = await freshStore();
    try {
      await expect(loadCredentials(store, { databaseUrl: PG_URL, adminToken: 'a-token', encryptionKey: null })).rejects.toThrow(/HERALD_ENCRYPTION_KEY is not set/);
      const key = SecretBox.generateKey();
      await expect(loadCredentials(store, { databaseUrl: PG_URL, adminToken: null, encryptionKey: key })).rejects.toThrow(/HERALD_ADMIN_TOKEN is not set/);
      // `herald worker` serves no API: it needs the key, not the admin token.
      await expect(loadCredentials(store, { databaseUrl: PG_URL, adminToken: null, encryptionKey: key, api: false })).resolves.toMatchObject({ generated: {} });
      expect(await store.meta.get('admin_token_sha256')).toBeNull();
      expect(await store.meta.get('encryption_key')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('upgrading a database that kept its key in meta: refuses until the key is given, then deletes it', async () => {
    const store = await freshStore();
    try {
      const legacy = SecretBox.generateKey();
      await store.meta.putIfAbsent('encryption_key', legacy);
      await store.meta.putIfAbsent('encryption_key_check', new SecretBox(SecretBox.parseKey(legacy)).seal('herald-encryption-key-check'));
      await expect(loadCredentials(store, { databaseUrl: PG_URL, adminToken: 'a-token', encryptionKey: null })).rejects.toThrow(/meta.*encryption_key/);
      await loadCredentials(store, { databaseUrl: PG_URL, adminToken: 'a-token', encryptionKey: legacy });
      expect(await store.meta.get('encryption_key')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
