import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '../conformance.js';
import { runOperationalConformance } from '../operational-conformance.js';
import { runHealthConformance } from '../health-conformance.js';
import { openSqliteStore } from './sqlite-store.js';

// A real file, not :memory:, so WAL and the pragmas are exercised as in production.
const openFresh = async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'herald.db'));
runStoreConformance('SQLite', openFresh);
runOperationalConformance('SQLite', openFresh);
runHealthConformance('SQLite', openFresh);
