import type { Kysely } from 'kysely';
import { dueMarker } from './endpoint-schedule.js';
import { fixedStatement } from './fixed-statement.js';
import { deliveryInsert, dueWorkOf, withTenantColumns, type DeliveryWriter } from './publish.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

/** A publish making more deliveries than this writes them as parts. */
export const INLINE_DELIVERIES = 64;
/** Rows a part holds, and about as many as one transaction makes deliveries of. */
export const PART_ROWS = 256;

export interface DeferredFanOut extends DeliveryWriter {
  /** Resolves once every part written before the call has become deliveries. */
  settled(): Promise<void>;
  /** Makes deliveries of the parts a stopped process left (after migrations, at open). */
  resume(): Promise<void>;
  /** Makes what is written, then stops; the store closes after. */
  close(): Promise<void>;
}

/**
 * SQLite: a publish's deliveries past INLINE_DELIVERIES are written in the publish's
 * transaction as parts (`pending_fan_outs`, one row of up to PART_ROWS JSON rows each), and made
 * deliveries by transactions of their own once the publish is answered. On SQLite one thread
 * serves the API and runs SQLite and the engine, and an event to 50 endpoints inserted 50 rows
 * into eight indexes before its 202: under `npm run bench`'s fan-out, 31 such publishes read in
 * one turn made one 23 ms transaction, and the publish call's p50 was 48-100 ms where a single
 * publish's was 8 ms. Durable either way: a part is committed with its events, and one a
 * stopped process left is made at the next open.
 *
 * What the store promised before still holds: reads of deliveries, and claims, wait for the
 * parts written before them (settled: the SQLite store calls it first), so a delivery is there
 * for whoever has heard of its publish. While any part waits, every publish writes parts, so a
 * FIFO endpoint's deliveries are made in publish order. Test sends never wait: their caller
 * attempts at once. PostgreSQL inserts deliveries in the publish's own statement, on the
 * server's process; it has no parts.
 */
export function deferredFanOut(db: Kysely<Database>, dialect: StoreDialect): DeferredFanOut {
  // A part's tenant and attempts are its first row's (each row carries its own; parts written
  // before rows did read them from here: withTenantColumns).
  const writeParts = fixedStatement<{ id: number }>(
    'sqlite',
    `insert into pending_fan_outs (tenant_id, max_attempts, deliveries)
     select value ->> '$[0][7]', value ->> '$[0][8]', value from json_each(?) order by key returning id`,
  );
  const oldestParts = fixedStatement<{ id: number; tenant_id: string; max_attempts: number; deliveries: string }>(
    'sqlite',
    `select * from pending_fan_outs order by id limit ${Math.ceil(PART_ROWS / INLINE_DELIVERIES)}`,
  );
  const lastPart = fixedStatement<{ id: number | null }>('sqlite', 'select max(id) as id from pending_fan_outs');
  const dropParts = fixedStatement('sqlite', 'delete from pending_fan_outs where id <= ?');
  // Between the publish and now its event may have been pruned, or its endpoint deleted.
  const insertDeliveries = deliveryInsert(
    'sqlite',
    'exists (select 1 from endpoints where endpoints.id = d.endpoint_id) and exists (select 1 from events where events.id = d.event_id)',
  );
  const marker = dueMarker(db, 'sqlite', dialect);

  /** The newest part written, and the newest made deliveries (or found gone). */
  let written = 0;
  let made = 0;
  const waiting: Array<{ upTo: number; resolve: () => void }> = [];
  let running: Promise<void> | null = null;
  let closed = false;

  const answerWaiting = () => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i]!.upTo <= made) waiting.splice(i, 1)[0]!.resolve();
    }
  };

  /**
   * One transaction: the oldest parts, about PART_ROWS rows of them, become deliveries, and their
   * endpoints are marked due. Answers the newest part it made (0: there were none) and whether
   * the mark made any endpoint due sooner.
   */
  const makeSome = () =>
    dialect.transaction(async (trx) => {
      const parts = await oldestParts.run(trx, []);
      let rows = 0;
      let upTo = 0;
      const due = [];
      for (const part of parts) {
        if (rows > 0 && rows + INLINE_DELIVERIES > PART_ROWS) break;
        const written = JSON.parse(part.deliveries) as unknown[][];
        const parsed = withTenantColumns(written, part.tenant_id, part.max_attempts);
        // Parts are never test sends (defers), so is_test is 0.
        await insertDeliveries.run(trx, [0, parsed === written ? part.deliveries : JSON.stringify(parsed)]);
        rows += parsed.length;
        upTo = part.id;
        due.push(dueWorkOf(parsed, {}));
      }
      if (upTo > 0) await dropParts.run(trx, [upTo]);
      return { upTo, lowered: await marker.mark(trx, due) };
    });

  // Each transaction starts on a turn of its own, so the publishes read meanwhile go first.
  async function makeAll(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const { upTo, lowered } = await makeSome();
      if (lowered) dialect.wakeHere();
      made = upTo === 0 ? Math.max(made, written) : upTo;
      answerWaiting();
      if (upTo === 0) return;
    }
  }

  const start = (): void => {
    if (running || closed) return;
    running = makeAll().then(
      () => {
        running = null;
        if (made < written) start();
      },
      (error: unknown) => {
        running = null;
        process.emitWarning(`Herald could not make the deliveries of a publish yet (trying again in 1 s): ${String(error)}`);
        // A read must not hang on a failing write: it goes on with the deliveries made so far.
        waiting.splice(0).forEach((entry) => entry.resolve());
        setTimeout(start, 1000).unref();
      },
    );
  };

  return {
    defers: (count, isTest) => !isTest && (count > INLINE_DELIVERIES || made < written),
    async writeParts(trx, rows) {
      const parts: unknown[][][] = [];
      for (let i = 0; i < rows.length; i += PART_ROWS) parts.push(rows.slice(i, i + PART_ROWS));
      const ids = await writeParts.run(trx, [JSON.stringify(parts)]);
      written = Math.max(written, ...ids.map((row) => row.id));
      // After this turn, when the publish's transaction has committed.
      setImmediate(start);
    },
    settled() {
      const upTo = written;
      if (made >= upTo) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ upTo, resolve }));
    },
    async resume() {
      const [last] = await lastPart.run(db, []);
      if (!last?.id) return;
      written = Math.max(written, last.id);
      start();
    },
    async close() {
      if (made < written) start();
      while (running) await running;
      closed = true;
      waiting.splice(0).forEach((entry) => entry.resolve());
    },
  };
}
