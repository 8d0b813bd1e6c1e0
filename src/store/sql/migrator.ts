import { Migrator, type Kysely, type MigrationProvider, type Migration as KyselyMigration } from 'kysely';
import { initial } from './migrations/0001-initial.js';

export type SqlDialect = 'sqlite' | 'postgres';

export interface Migration {
  name: string;
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
}

/** Versioned migrations, applied in name order; Kysely records them and takes the lock. */
const MIGRATIONS: Migration[] = [initial];

export async function migrateToLatest(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const entries: Record<string, KyselyMigration> = {};
      for (const migration of MIGRATIONS) entries[migration.name] = { up: (trx) => migration.up(trx, dialect) };
      return entries;
    },
  };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
