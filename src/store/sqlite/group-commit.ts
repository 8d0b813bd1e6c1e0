import { sql, type Kysely } from 'kysely';
import type { Database } from '../sql/schema.js';
import type { TransactionOptions } from '../sql/store-dialect.js';

type Work = (trx: Kysely<Database>) => Promise<unknown>;

/** More than this many callers in one transaction would hold readers back for too long. */
const MAX_PER_COMMIT = 64;

type Waiting = Array<{ work: Work; resolve: (value: any) => void; reject: (error: unknown) => void }>;

/**
 * Group commit for SQLite. Committing cost more than any statement (96 µs a COMMIT under
 * `npm run bench`, a third of all SQLite time: each commit writes every page it touched to
 * the WAL). Callers that arrive while a transaction runs join it, each inside its own
 * savepoint so one caller's failure rolls back only its own work; all are answered once the
 * shared COMMIT is done, so none sees success before its data is durable.
 *
 * Callers marked `first` (publishes) share transactions of their own, which run before the
 * others' whenever both wait: one thread serves the API and runs the engine, and under a
 * saturating fan-out a publish that joined a record-and-claim transaction of 15-20 ms waited
 * for all of it before its 202.
 */
export function groupCommit(db: Kysely<Database>): <T>(work: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions) => Promise<T> {
  const firstWaiting: Waiting = [];
  const waiting: Waiting = [];
  let running: Promise<void> | null = null;

  async function commitBatches(): Promise<void> {
    for (let lane = nextLane(); lane; lane = nextLane()) {
      // Taken before the transaction opens: if it cannot open (store closed), these callers
      // are rejected and the loop moves on instead of spinning on them.
      const batch = lane.splice(0, MAX_PER_COMMIT);
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
      try {
        await db.transaction().execute(async (trx) => {
          for (let i = 0; i < batch.length; i++) {
            outcomes.push(await inSavepoint(trx, batch[i]!.work));
            // Callers of the same lane that arrived meanwhile join this transaction.
            if (i === batch.length - 1) batch.push(...lane.splice(0, MAX_PER_COMMIT - batch.length));
          }
        });
        batch.forEach((entry, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) entry.resolve(outcome.value);
          else entry.reject(outcome.error);
        });
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
  }

  // Publishes cannot starve the others: new ones arrive with I/O, between runs of this loop, or
  // from the answers of a batch, which run during the next one.
  const nextLane = (): Waiting | null => (firstWaiting.length > 0 ? firstWaiting : waiting.length > 0 ? waiting : null);

  // A caller answered by the last batch may ask again before `running` is cleared: look again.
  // The batch starts on setImmediate, after the I/O callbacks of this turn of the event loop:
  // better-sqlite3 is synchronous, so a transaction started at once would finish before any
  // other request could join it.
  const start = (): void => {
    if (running || nextLane() === null) return;
    running = new Promise<void>((resolve) => setImmediate(resolve)).then(commitBatches).finally(() => {
      running = null;
      start();
    });
  };

  return (work, options) =>
    new Promise((resolve, reject) => {
      (options?.first ? firstWaiting : waiting).push({ work, resolve, reject });
      start();
    });
}
async function inSavepoint(trx: Kysely<Database>, work: Work): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  await sql`savepoint caller`.execute(trx);
  try {
    const value = await work(trx);
    await sql`release caller`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to caller`.execute(trx);
    await sql`release caller`.execute(trx);
    return { ok: false, error };
  }
}
