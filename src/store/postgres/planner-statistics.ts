import { sql, type Kysely } from 'kysely';
import type { Database } from '../sql/schema.js';

/**
 * The catalog the hot path reaches by key: tables that grow in bursts (a product moving its
 * customers onto Herald makes thousands of endpoints in minutes) and then hold still. Not the
 * events, deliveries and attempts, whose statistics stay autovacuum's: how many deliveries wait
 * moves all the time. A first version analysed them too, each time they doubled, and in one
 * `growth` run of three the lease's plan of the time (claim.ts, pickAndLease) walked every
 * waiting delivery once a backlog formed, 50-900 ms a claim: the worker fell nine seconds behind.
 */
const HOT_TABLES = ['tenants', 'credentials', 'endpoints', 'quota_usage'] as const;

/** How often each store compares the tables' sizes with what the planner last learned of them. */
export const PLANNER_CHECK_MS = 10_000;
/** A table holding this many times the rows its statistics counted is analysed again... */
const GROWTH = 2;
/** ... once it holds this many rows: below it, reading a whole table costs next to nothing. */
const MIN_ROWS = 1_000;

/**
 * Keeps the planner's picture of the hot tables no more than GROWTH times out of date.
 *
 * Each connection plans a prepared statement (prepared-pool.ts) for any parameters at its sixth
 * run and keeps that plan until PostgreSQL analyses one of its tables, from the sizes it believed
 * then. On a young database those are tiny, and scanning a whole tiny table is the cheapest
 * plan: when 10,000 endpoints were made in half a minute under `npm run bench -- --scenario
 * growth`, the publish's mark, the claim's lock and reschedule and the record's lock each went
 * on reading every endpoint row (auto_explain: `Seq Scan on endpoints`, 15-30 ms a statement),
 * on the connections that had lived through it, and the worker fell seconds behind. Autovacuum
 * analyses a table that changed by a tenth, within a minute by default, and never where it is
 * turned off (as on this project's machines); this does it within PLANNER_CHECK_MS, whatever the
 * server's settings: one small query per store, and an ANALYZE each time a table's rows double.
 * SKIP_LOCKED leaves a table that autovacuum or another store is analysing to them.
 */
export function keepPlannerStatisticsCurrent(db: Kysely<Database>, everyMs = PLANNER_CHECK_MS): () => void {
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const table of await outgrownTables(db)) await sql`analyze (skip_locked) ${sql.table(table)}`.execute(db);
    } catch {
      // Only an earlier refresh is lost: autovacuum still analyses, and the next check tries again.
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The hot tables (in the store's schema) holding GROWTH times the rows their statistics counted.
 * Rows, not pages: an ANALYZE that ran while a large insert was still open counted the pages
 * the insert had written and none of its rows, and the planner went on reading a table it
 * believed nearly empty. The live count is the server's own, updated as transactions end.
 */
async function outgrownTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string; counted: number; live: number }>`
    select t.name, c.reltuples as counted, pg_stat_get_live_tuples(c.oid) as live
    from unnest(${[...HOT_TABLES]}::text[]) as t(name) join pg_class c on c.oid = to_regclass(t.name)`.execute(db);
  return rows.filter((row) => Number(row.live) >= Math.max(GROWTH * Number(row.counted), MIN_ROWS)).map((row) => row.name);
}
