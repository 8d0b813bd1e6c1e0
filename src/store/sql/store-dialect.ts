import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

/**
 * What differs between the databases above the SQL itself: how write transactions run, row
 * locking in the claim, and the wake-up channel. Each store folder provides one.
 */
export interface StoreDialect {
  /** Runs `work` in a write transaction (SQLite may share one among several callers). */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** PostgreSQL adds `FOR UPDATE SKIP LOCKED`; SQLite has one writer and needs nothing. */
  lockForClaim<Q extends SelectQueryBuilder<Database, 'endpoints', any>>(query: Q): Q;
  wake(): Promise<void>;
  onWake(listener: () => void): () => void;
}
