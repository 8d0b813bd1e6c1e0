import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/signing/index.js';
import { createEndpoint, createTenant, ensureEventType, flatHeaders, publish, receivedOn } from '../support/delivery.js';
import { removeDir, startTestHerald } from '../support/herald.js';
import { standardSignature } from '../support/first-release.js';
import { Receiver } from '../support/receiver.js';

/** Issue 12, item 1: key rotation with two keys and `herald rekey` (the built CLI). */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OLD = SecretBox.generateKey();
const NEW = SecretBox.generateKey();
const AUTHORIZATION = 'Bearer rotated-receiver-credential-91c2';

let dir: string;
let receiver: Receiver;
let tenant: string;
let endpoint: { id: string; secret: string | null };

async function rekey(keys: string): Promise<{ code: number; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/herald.js', 'rekey', '--database-url', `sqlite:${join(dir, 'herald.db')}`], {
      cwd: ROOT,
      env: { ...env, HERALD_ENCRYPTION_KEY: keys },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

function sealedColumns(): string[] {
  const db = new Database(join(dir, 'herald.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT secret, verify_token, headers FROM endpoints').all() as Array<{ secret: string; verify_token: string | null; headers: string }>;
    const check = db.prepare("SELECT value FROM meta WHERE key = 'encryption_key_check'").get() as { value: string };
    return [...rows.flatMap((r) => [r.secret, JSON.parse(r.headers).Authorization as string]), check.value];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-rekey-'));
  receiver = await Receiver.start();
  const herald = await startTestHerald({ encryptionKey: OLD }, dir);
  tenant = await createTenant(herald);
  await ensureEventType(herald, 'keys.rotated');
  endpoint = await createEndpoint(herald, tenant, { url: `${receiver.url}/hook`, eventTypes: ['*'], headers: { Authorization: AUTHORIZATION } });
  await herald.stop();
});

afterAll(async () => {
  await receiver?.close();
  if (dir) removeDir(dir);
});

describe('rotating HERALD_ENCRYPTION_KEY', () => {
  it('opens values sealed by the old key while the new one comes first', async () => {
    const herald = await startTestHerald({ encryptionKey: `${NEW},${OLD}` }, dir);
    try {
      const event = await publish(herald, tenant, 'keys.rotated', { n: 1 });
      const [request] = await receivedOn(receiver, '/hook', 1);
      const headers = flatHeaders(request!);
      expect(headers.authorization).toBe(AUTHORIZATION);
      expect(headers['webhook-signature']).toBe(standardSignature(endpoint.secret!, event.id, headers['webhook-timestamp']!, request!.body));
    } finally {
      await herald.stop();
    }
  });

  it('`herald rekey` reseals everything with the first key, and running it again changes nothing', async () => {
    const oldId = SecretBox.keyId(Buffer.from(OLD, 'base64'));
    const newId = SecretBox.keyId(Buffer.from(NEW, 'base64'));
    for (const value of sealedColumns()) expect(value.startsWith(`v2.${oldId}.`)).toBe(true);
    const first = await rekey(`${NEW},${OLD}`);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(new RegExp(`resealed 1 endpoint\\(s\\) with key ${newId}`));
    expect(first.output).not.toContain(NEW);
    for (const value of sealedColumns()) expect(value.startsWith(`v2.${newId}.`)).toBe(true);
    const again = await rekey(`${NEW},${OLD}`);
    expect(again.output).toMatch(/resealed 0 endpoint/);
  });

  it('then the new key alone serves, and the old key alone is refused', async () => {
    await expect(startTestHerald({ encryptionKey: OLD }, dir)).rejects.toThrow(/cannot decrypt this store/);
    const herald = await startTestHerald({ encryptionKey: NEW }, dir);
    try {
      const event = await publish(herald, tenant, 'keys.rotated', { n: 2 });
      const [, request] = await receivedOn(receiver, '/hook', 2);
      const headers = flatHeaders(request!);
      expect(headers.authorization).toBe(AUTHORIZATION);
      expect(headers['webhook-signature']).toBe(standardSignature(endpoint.secret!, event.id, headers['webhook-timestamp']!, request!.body));
    } finally {
      await herald.stop();
    }
  });

  it('`herald rekey` with a key that opens nothing exits non-zero and changes nothing', async () => {
    const before = sealedColumns();
    const refused = await rekey(SecretBox.generateKey());
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/cannot decrypt this store/);
    expect(sealedColumns()).toEqual(before);
  });
});
