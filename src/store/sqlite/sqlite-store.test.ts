import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runStoreConformance } from '../conformance.js';
import { runOperationalConformance } from '../operational-conformance.js';
import { runHealthConformance } from '../health-conformance.js';
import { NEW_FILE_PAGE_SIZE, openSqliteStore } from './sqlite-store.js';

// A real file, not :memory:, so WAL and the pragmas are exercised as in production.
const openFresh = async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'herald.db'));
runStoreConformance('SQLite', openFresh);
runOperationalConformance('SQLite', openFresh);
runHealthConformance('SQLite', openFresh);

describe('SQLite page size', () => {
  it('creates new files with 2 KiB pages and opens an existing file at its own page size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-page-size-'));
    const pageSize = (path: string) => {
      const reader = new BetterSqlite3(path, { readonly: true });
      try {
        return reader.pragma('page_size', { simple: true });
      } finally {
        reader.close();
      }
    };

    const fresh = openSqliteStore(join(dir, 'new.db'));
    await fresh.migrate();
    await fresh.close();
    expect(pageSize(join(dir, 'new.db'))).toBe(NEW_FILE_PAGE_SIZE);

    // A database made elsewhere (an earlier Herald) with SQLite's default 4 KiB pages.
    const older = new BetterSqlite3(join(dir, 'old.db'));
    older.pragma('journal_mode = WAL');
    older.exec('create table kept (n integer)');
    older.close();
    const reopened = openSqliteStore(join(dir, 'old.db'));
    await reopened.migrate();
    await reopened.close();
    expect(pageSize(join(dir, 'old.db'))).toBe(4096);
  });
});
