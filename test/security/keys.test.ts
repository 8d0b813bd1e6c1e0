import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/signing/index.js';
import { createEndpoint, createTenant, ensureEventType, flatHeaders, hasStatus, publish, receivedOn, waitForDelivery, deliveryFor } from '../support/delivery.js';
import { removeDir, startTestHerald } from '../support/herald.js';
import { databaseBytes, rewriteAsFirstRelease, standardSignature } from '../support/first-release.js';
import { Receiver } from '../support/receiver.js';

/** Issue 12, item 1: the encryption key never sits in the database beside what it seals. */

const AUTHORIZATION = 'Bearer receiver-credential-5be1c9d07a';
const dirs: string[] = [];
const receivers: Receiver[] = [];

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-keys-'));
  dirs.push(dir);
  return dir;
}

async function newReceiver(): Promise<Receiver> {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  return receiver;
}

function metaRows(file: string): Record<string, string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}

afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  for (const dir of dirs) removeDir(dir);
});

describe('a Herald started without HERALD_ENCRYPTION_KEY on SQLite', () => {
  it('generates <database>.key (0600), says so, and keeps no key in the database', async () => {
    const dir = newDir();
    const receiver = await newReceiver();
    const herald = await startTestHerald({ encryptionKey: null }, dir);
    const keyFile = join(dir, 'herald.db.key');
    expect(herald.generated.keyFile).toEqual({ path: keyFile, movedFromDatabase: false });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(SecretBox.parseKeys(key)).toHaveLength(1);

    const tenant = await createTenant(herald);
    const endpoint = await createEndpoint(herald, tenant, { url: `${receiver.url}/hook`, eventTypes: ['*'], headers: { Authorization: AUTHORIZATION } });
    await herald.stop();
    expect(Object.keys(metaRows(join(dir, 'herald.db')))).not.toContain('encryption_key');

    // Only the database files, as a backup or a thief would take them.
    const copy = newDir();
    for (const name of ['herald.db', 'herald.db-wal']) if (existsSync(join(dir, name))) copyFileSync(join(dir, name), join(copy, name));
    const bytes = databaseBytes(join(copy, 'herald.db'));
    for (const secret of [key, Buffer.from(key, 'base64').toString('hex'), endpoint.secret!, endpoint.secret!.slice('whsec_'.length), AUTHORIZATION]) {
      expect(bytes.includes(Buffer.from(secret)), `the database copy holds ${secret.slice(0, 12)}…`).toBe(false);
    }
    // A Herald opened on the copy alone neither generates a key that opens nothing nor starts.
    await expect(startTestHerald({ encryptionKey: null }, copy)).rejects.toThrow(/key file .*herald\.db\.key is missing/);
    expect(existsSync(join(copy, 'herald.db.key'))).toBe(false);
    await expect(startTestHerald({ encryptionKey: SecretBox.generateKey() }, copy)).rejects.toThrow(/cannot decrypt this store/);

    // With its key file, the original still signs with the same secret.
    const again = await startTestHerald({ encryptionKey: null }, dir);
    try {
      expect(again.generated.keyFile).toBeUndefined();
      await ensureEventType(again, 'keys.checked');
      const event = await publish(again, tenant, 'keys.checked', { n: 1 });
      const [request] = await receivedOn(receiver, '/hook', 1);
      const headers = flatHeaders(request!);
      expect(headers.authorization).toBe(AUTHORIZATION);
      expect(headers['webhook-signature']).toBe(standardSignature(endpoint.secret!, event.id, headers['webhook-timestamp']!, request!.body));
    } finally {
      await again.stop();
    }
  });
});

describe('upgrading a database made by the first release', () => {
  it('moves the key into the key file, deletes it from the database, seals clear values and compacts the file', async () => {
    const dir = newDir();
    const file = join(dir, 'herald.db');
    const receiver = await newReceiver();
    const oldKey = SecretBox.generateKey();
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

    // Real rows (a tenant, an endpoint, a delivered event and its attempt), then rewritten as
    // the first release kept them.
    const made = await startTestHerald({ encryptionKey: oldKey }, dir);
    const tenant = await createTenant(made);
    await ensureEventType(made, 'keys.upgraded');
    const endpoint = await createEndpoint(made, tenant, { url: `${receiver.url}/hook`, eventTypes: ['*'], secret });
    const first = await publish(made, tenant, 'keys.upgraded', { n: 1 });
    await waitForDelivery(made, tenant, (await deliveryFor(made, tenant, endpoint.id, first.id)).id, hasStatus('succeeded'));
    await made.stop();
    rmSync(`${file}.key`, { force: true });
    rewriteAsFirstRelease(file, oldKey, { id: endpoint.id, secret, headers: { Authorization: AUTHORIZATION, 'X-Plain': 'visible' } }, { authorization: AUTHORIZATION, 'webhook-signature': 'v1,old-signature-kept-in-clear' });
    const before = databaseBytes(file);
    expect(before.includes(Buffer.from(oldKey)), 'the fixture holds the old key in clear').toBe(true);
    expect(before.includes(Buffer.from(AUTHORIZATION)), 'the fixture holds the header in clear').toBe(true);

    const upgraded = await startTestHerald({ encryptionKey: null }, dir);
    try {
      expect(upgraded.generated.keyFile).toEqual({ path: `${file}.key`, movedFromDatabase: true });
      expect(readFileSync(`${file}.key`, 'utf8').trim()).toBe(oldKey);
      expect(statSync(`${file}.key`).mode & 0o777).toBe(0o600);

      const shown = await upgraded.api('GET', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}`);
      expect(shown.body.headers).toEqual({ Authorization: '[redacted]', 'X-Plain': 'visible' });
      const log = await upgraded.api('GET', `/api/v1/tenants/${tenant}/deliveries/${(await deliveryFor(upgraded, tenant, endpoint.id, first.id)).id}`);
      expect(log.body.attempts[0].requestHeaders).toEqual({ authorization: '[redacted]', 'webhook-signature': '[redacted]' });

      // Sent as given, signed with the secret the first release sealed.
      const second = await publish(upgraded, tenant, 'keys.upgraded', { n: 2 });
      const [, request] = await receivedOn(receiver, '/hook', 2);
      const headers = flatHeaders(request!);
      expect(headers.authorization).toBe(AUTHORIZATION);
      expect(headers['webhook-signature']).toBe(standardSignature(secret, second.id, headers['webhook-timestamp']!, request!.body));
    } finally {
      await upgraded.stop();
    }

    expect(Object.keys(metaRows(file))).not.toContain('encryption_key');
    const after = databaseBytes(file);
    expect(after.includes(Buffer.from(oldKey)), 'a page of the file still holds the old key').toBe(false);
    expect(after.includes(Buffer.from(AUTHORIZATION)), 'a page of the file still holds the header value').toBe(false);
    expect(after.includes(Buffer.from('old-signature-kept-in-clear'))).toBe(false);
    const db = new Database(file, { readonly: true });
    try {
      const row = db.prepare('SELECT secret, headers FROM endpoints WHERE id = ?').get(endpoint.id) as { secret: string; headers: string };
      const kid = SecretBox.keyId(Buffer.from(oldKey, 'base64'));
      expect(row.secret.startsWith(`v2.${kid}.`)).toBe(true);
      expect(JSON.parse(row.headers).Authorization.startsWith(`v2.${kid}.`)).toBe(true);
    } finally {
      db.close();
    }
  });
});
