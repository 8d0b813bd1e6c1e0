import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** `first`: the caller answers a client (a publish), and goes before the engine's work (SQLite's group commit). */
export interface TransactionOptions {
  first?: boolean;
}

/** A NOTIFY's channel and payload (see StoreDialect.wakeNotice). */
export interface WakeNotice {
  channel: string;
  payload: string;
}

/**
 * What differs between the databases above the SQL itself: how write transactions run, row
 * locking in the claim, and the wake-up channel. Each store folder provides one.
 */
export interface StoreDialect {
  /**
   * Runs `run` (a statement outside `transaction`, whole in itself) again when the database
   * broke a lock cycle by failing it (PostgreSQL); SQLite, one writer, just runs it.
   */
  retry<T>(run: () => Promise<T>): Promise<T>;
  /** Runs `work` in a write transaction (SQLite may share one among several callers: sqlite/group-commit.ts). */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * How many endpoints one claim may lock, given how many deliveries it wants. PostgreSQL locks
   * about `limit` so that concurrent workers do not skip past each other's idle locks; absent
   * (SQLite, one writer) the claim looks at a fixed number.
   */
  endpointsPerClaim?(limit: number): number;
  /** Wakes every process's engine: this one's listeners, and the others (PostgreSQL: a NOTIFY of its own). */
  wake(): Promise<void>;
  /**
   * PostgreSQL: the NOTIFY that wakes the other processes, for a statement to send itself when
   * it makes work due (markDueCall): it leaves at that statement's commit, a round trip
   * sooner than wake()'s. The caller then wakes only this process (wakeHere). Absent on SQLite.
   */
  wakeNotice?: WakeNotice;
  /** Wakes this process's listeners only. */
  wakeHere(): void;
  onWake(listener: () => void): () => void;
  /** Tells every process that the tenant or its endpoints changed, or (null) the catalog; after the change committed. */
  endpointsChanged(tenantId: string | null): Promise<void>;
  onEndpointsChanged(listener: (tenantId: string | null) => void): () => void;
  /** Resolves once every change signal committed before the call has reached this process (see Store.catchUpOnChanges). */
  catchUp(): Promise<void>;
}
