import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '../conformance.js';
import { runHealthConformance } from '../health-conformance.js';
import { openSqliteStore } from './sqlite-store.js';

// A real file, not :memory:, so WAL and the pragmas are exercised as in production.
runStoreConformance('SQLite', async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'herald.db')));
runHealthConformance('SQLite', async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'herald.db')));
