import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * What the first release (before issue 12) left in a SQLite file, written over rows a real
 * Herald made: its generated key in clear in `meta`, values sealed in the v1 format (no key
 * id), custom header values and attempt-log headers in clear.
 */
export function sealV1(keyBase64: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), iv, { authTagLength: 16 });
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'))].join('.');
}

export function rewriteAsFirstRelease(
  file: string,
  keyBase64: string,
  endpoint: { id: string; secret: string; headers: Record<string, string> },
  attemptHeaders: Record<string, string>,
): void {
  const db = new Database(file);
  try {
    db.prepare('UPDATE endpoints SET secret = ?, headers = ? WHERE id = ?').run(sealV1(keyBase64, endpoint.secret), JSON.stringify(endpoint.headers), endpoint.id);
    db.prepare('UPDATE attempts SET request_headers = ?').run(JSON.stringify(attemptHeaders));
    db.prepare("DELETE FROM meta WHERE key = 'sealed_values_version'").run();
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('encryption_key', ?)").run(keyBase64);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('encryption_key_check', ?)").run(sealV1(keyBase64, 'herald-encryption-key-check'));
  } finally {
    db.close();
  }
}

/** The database file and its WAL, as a backup or a thief would copy them. */
export function databaseBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

/** Standard Webhooks' v1 signature, computed here so the test does not trust Herald's signer. */
export function standardSignature(secret: string, id: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
