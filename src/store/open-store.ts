import type { Store } from './store.js';

/**
 * Picks the store from a database URL: `sqlite:<path>` or `postgres://…`. Each store's module
 * (and its driver) is imported only when chosen: an embedded Herald never loads `pg`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
    return openSqliteStore(databaseUrl.slice('sqlite:'.length));
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore(databaseUrl);
  }
  throw new Error(`Unsupported HERALD_DATABASE_URL: ${databaseUrl.split(':')[0]}: (expected sqlite: or postgres://)`);
}
