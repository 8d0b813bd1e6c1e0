import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** `<database file>.key` for `sqlite:<path>`; null for an in-memory database, which has no file. */
export function keyFilePath(databaseUrl: string): string | null {
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : null;
  return path && path !== ':memory:' ? `${path}.key` : null;
}

/** `<database file>.admin-token`, where a generated admin token goes when no terminal can show it. */
export function adminTokenFilePath(databaseUrl: string): string | null {
  const key = keyFilePath(databaseUrl);
  return key === null ? null : key.replace(/\.key$/, '.admin-token');
}

export function readSecretFile(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}

/**
 * Writes a secret into a new file, mode 0600, durably, never over an existing one: written
 * to a temporary name, fsynced, then hard-linked into place (a link fails if the name is
 * taken), so a crash leaves either no file or a whole one, and two processes starting at
 * once cannot each keep a different key. Answers what the file holds afterwards.
 */
export function createSecretFile(path: string, secret: string): string {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${secret}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readFileSync(path, 'utf8').trim();
}
