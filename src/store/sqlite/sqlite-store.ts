import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../store.js';
import type { StoreDialect } from '../sql/store-dialect.js';
import { MAIN_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { groupCommit } from './group-commit.js';
import type { Database } from '../sql/schema.js';
import { deferredFanOut } from '../sql/fan-out.js';
import { createSqlStore } from '../sql/sql-store.js';

/**
 * The page size of a database this store creates. `store-cycle` (5,000 events of 300 bytes,
 * twice each way): claim and record 50-51 µs a delivery against 57-61 at 4 KiB, publish the same;
 * at 1,500 and 3,000-byte events the two sizes came out even. Whole `npm run bench` runs, two
 * alternated pairs: single publishes 5,276 and 5,209/s against 4,897 and 5,128, batches 6,575
 * and 6,746 against 6,181 and 6,515, CPU per event 5-8 % lower. 8 and 16 KiB were dearer still
 * than 4 (claim and record 64-68 and 75-76 µs); 1 KiB made publishes dearer (round seven).
 */
export const NEW_FILE_PAGE_SIZE = 2048;

/**
 * SQLite in one file, for the embedded single-process default. One connection does all the
 * work: SQLite has a single writer anyway, Kysely serialises transactions on it, and so no
 * row locking is needed in the claim. Wake-ups stay inside the process.
 */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  // Takes effect on a new file only: an existing database keeps its page size.
  database.pragma(`page_size = ${NEW_FILE_PAGE_SIZE}`);
  database.pragma('journal_mode = WAL');
  // NORMAL under WAL syncs at checkpoints, not at every commit: a process crash loses nothing
  // committed; only an OS crash or power loss can drop the last transactions.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Checkpoints run on a thread of their own (checkpointer.ts); an in-memory database has no WAL.
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path, (message) => process.emitWarning(`SQLite checkpoints: ${message}`));
  if (checkpointer) database.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  const wakeups = new EventEmitter();
  wakeups.setMaxListeners(0);

  const dialect: StoreDialect = {
    transaction: groupCommit(db),
    retry: (run) => run(),
    // One process: waking it is waking everyone.
    async wake() {
      wakeups.emit('wake');
    },
    wakeHere() {
      wakeups.emit('wake');
    },
    onWake(listener) {
      wakeups.on('wake', listener);
      return () => wakeups.off('wake', listener);
    },
    async endpointsChanged(tenantId) {
      wakeups.emit('endpoints', tenantId);
    },
    onEndpointsChanged(listener) {
      wakeups.on('endpoints', listener);
      return () => wakeups.off('endpoints', listener);
    },
    // One process: every change was signalled before its write returned.
    catchUp: async () => {},
  };

  const fanOut = deferredFanOut(db, dialect);
  const store = createSqlStore(
    db,
    'sqlite',
    dialect,
    async () => {
      wakeups.removeAllListeners();
      await checkpointer?.stop();
      await db.destroy();
    },
    fanOut,
  );
  // Parts a stopped process left; a database not migrated yet has none (migrate looks again).
  fanOut.resume().catch(() => {});
  return store;
}

/**
 * SQLite's planner reads a bare `LIMIT ?`/`OFFSET ?` parameter (this build has STAT4), so
 * binding one marks the statement expired and every run prepares it again: the claim's due
 * endpoints took 13 µs with `limit ?` against 1 µs with `limit 64` or `limit (? + 0)`, and its
 * lease, one `limit ?` per endpoint, more. As an expression the value is only read at run time.
 */
const BARE_LIMIT_PARAMETER = /\b(limit|offset) \?/gi;

/**
 * Kysely prepares every statement anew; compiling SQL cost as much CPU as running it (measured
 * by `npm run bench`'s SQL profile). Herald's queries are a small fixed set, so each compiled
 * statement is kept and reused. One connection runs one statement at a time, so sharing is safe.
 */
function withStatementCache(database: BetterSqlite3.Database): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = database.prepare.bind(database);
  return Object.assign(Object.create(database) as BetterSqlite3.Database, {
    prepare(source: string) {
      let statement = statements.get(source);
      if (!statement) {
        // Queries with IN lists vary in length; a bound keeps odd ones from piling up.
        if (statements.size >= 2000) statements.clear();
        statement = prepare(source.replace(BARE_LIMIT_PARAMETER, '$1 (? + 0)'));
        statements.set(source, statement);
      }
      return statement;
    },
  });
}
