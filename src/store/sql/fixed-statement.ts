import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlDialect } from './migrator.js';

/**
 * A hot-path statement whose SQL text is written once and never rebuilt: building a query with
 * Kysely's builder cost as much CPU as running it (bench/sql-profile). The text is fixed, so
 * SQLite's statement cache (sqlite-store.ts) and PostgreSQL's named prepared statements
 * (postgres/prepared-pool.ts) parse and plan it once per connection. Written with `?`
 * placeholders; PostgreSQL gets `$1…$n`.
 */
export interface FixedStatement<R> {
  readonly kind: SqlDialect;
  readonly sql: string;
  run(db: Kysely<any>, parameters: readonly unknown[]): Promise<R[]>;
}

/** Every fixed PostgreSQL text, so the pool can tell them from ad-hoc queries. */
const POSTGRES_TEXTS = new Set<string>();
export const isFixedStatement = (text: string): boolean => POSTGRES_TEXTS.has(text);

export function fixedStatement<R = Record<string, unknown>>(kind: SqlDialect, text: string): FixedStatement<R> {
  let n = 0;
  const sql = kind === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  if (kind === 'postgres') POSTGRES_TEXTS.add(sql);
  return {
    kind,
    sql,
    async run(db, parameters) {
      const result = await db.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]));
      return result.rows;
    },
  };
}

/** A fixed statement with its parameters, for runTogether. */
export type StatementCall<R = unknown> = readonly [statement: FixedStatement<R>, parameters: readonly unknown[]];

/** The text that carries runTogether's statements to PostgreSQL's pool (postgres/prepared-pool.ts). */
export const TOGETHER = '-- herald: statements together';
/** The same, with the transaction's COMMIT sent right behind them (runTogetherThenCommit). */
export const TOGETHER_THEN_COMMIT = '-- herald: statements together, then commit';

/**
 * Runs fixed statements in order, and answers each one's rows. On PostgreSQL they cost one round
 * trip: the pool writes each right behind the one before, without waiting for its answer. So
 * only for statements whose parameters do not come from the answers before them; each still
 * runs after the one before and sees its writes. When one fails the call fails with its error
 * (the ones after it fail too, in the transaction it aborted). SQLite runs them one by one: it
 * has no round trips to save.
 */
export async function runTogether(db: Kysely<any>, calls: readonly StatementCall[]): Promise<unknown[][]> {
  if (calls.length <= 1 || calls[0]![0].kind === 'sqlite') {
    const answers: unknown[][] = [];
    for (const [statement, parameters] of calls) answers.push(await statement.run(db, parameters));
    return answers;
  }
  return rowsOrFirstError(await runEachTogether(db, calls));
}

/**
 * runTogether for a transaction's last statements: on PostgreSQL its COMMIT goes in the same
 * round trip, and the transaction's own commit then only waits for that answer (a failed
 * statement makes it a rollback). Nothing may run in the transaction after this; code that
 * fails after it can no longer undo what it wrote. On SQLite it is runTogether.
 */
export async function runTogetherThenCommit(trx: Kysely<any>, calls: readonly StatementCall[]): Promise<unknown[][]> {
  if (calls.length === 0 || calls[0]![0].kind === 'sqlite') return runTogether(trx, calls);
  return rowsOrFirstError(await sendToPool(trx, TOGETHER_THEN_COMMIT, calls));
}

function rowsOrFirstError(outcomes: StatementOutcome[]): unknown[][] {
  const failed = outcomes.find((outcome) => 'error' in outcome);
  if (failed) throw failed.error;
  return outcomes.map((outcome) => (outcome as { rows: unknown[] }).rows);
}

export type StatementOutcome = { rows: unknown[] } | { error: unknown };

/**
 * PostgreSQL, outside a transaction: statements sent together as runTogether does, each its own
 * transaction (committed before the next begins), and each one's outcome answered, so a caller
 * can tell a failed second statement from a failed first.
 */
export function runEachTogether(db: Kysely<any>, calls: readonly StatementCall[]): Promise<StatementOutcome[]> {
  return sendToPool(db, TOGETHER, calls);
}

/** The statements as one query the pool recognises by its marker text (postgres/prepared-pool.ts). */
async function sendToPool(db: Kysely<any>, marker: typeof TOGETHER | typeof TOGETHER_THEN_COMMIT, calls: readonly StatementCall[]): Promise<StatementOutcome[]> {
  const result = await db.executeQuery<StatementOutcome>(CompiledQuery.raw(marker, [calls.map(([statement, parameters]) => [statement.sql, [...parameters]])]));
  return result.rows;
}

export type JsonColumnType = 'text' | 'bigint' | 'integer';

/**
 * A row source over one parameter: a JSON array of arrays, one inner array per row, read as
 * the named columns (plus `ord`, the row's position). A batch of any size is then one
 * statement with one parameter: no IN lists of varying length (each a new statement to
 * prepare) and no limit on bound parameters (SQLite 32,766, PostgreSQL 65,535).
 */
export function jsonRows(kind: SqlDialect, columns: ReadonlyArray<readonly [string, JsonColumnType]>): string {
  if (kind === 'sqlite') {
    // jsonb_each: each row arrives parsed (JSONB), so every `->>` reads it in place; with
    // json_each each row came back as text and every column parsed it again (callgrind: a
    // tenth of SQLite's instructions in the claim-record cycle went to JSON).
    const picked = columns.map(([name], i) => `value ->> ${i} as ${name}`).join(', ');
    return `(select ${picked}, key as ord from jsonb_each(?))`;
  }
  const picked = columns.map(([name, type], i) => `(r ->> ${i})::${type} as ${name}`).join(', ');
  return `(select ${picked}, n as ord from json_array_elements(?::json) with ordinality as t(r, n))`;
}

/**
 * `column` is one of the strings of a flat JSON array parameter. On PostgreSQL as `= any(array(…))`,
 * which runs as one index scan of those keys: written as `in (select json_array_elements_text(…))`
 * the planner takes the function for 100 rows and, on a table of some thousands of rows, hashes
 * the whole table instead (beside 20,000 endpoints, every publish's schedule mark read them all).
 */
export function isOneOf(kind: SqlDialect, column: string): string {
  return kind === 'sqlite' ? `${column} in (select value from json_each(?))` : `${column} = any(array(select json_array_elements_text(?::json)))`;
}

/**
 * PostgreSQL: an UPDATE … FROM a JSON row source (jsonRows) keyed by its first column reaches the
 * target's rows through this extra condition, with the same JSON passed again as its parameter:
 * joined to the JSON rows alone, the planner hashes the whole target table (isOneOf says why).
 * SQLite probes the key's index by itself, and gets no condition and no parameter.
 */
export function keyedByFirstColumn(kind: SqlDialect, column: string): string {
  return kind === 'sqlite' ? '' : ` and ${column} = any(array(select r ->> 0 from json_array_elements(?::json) as r))`;
}

/** The parameters keyedByFirstColumn's condition takes: the JSON rows again on PostgreSQL, none on SQLite. */
export function keyedParameters(kind: SqlDialect, json: string): string[] {
  return kind === 'sqlite' ? [] : [json];
}

/**
 * PostgreSQL: `table`'s row whose id is `key`, as a LATERAL subquery to join on `true`. The
 * LIMIT keeps the planner from flattening it into a hash join over the whole table: the plan
 * PostgreSQL caches for a prepared statement keeps the table sizes it saw when it was made,
 * and on a young database such joins scanned every row for each claim and record
 * (auto_explain under npm run bench: 5,200 deliveries read for 8).
 */
export const rowByKey = (table: string, key: string, columns = '*'): string =>
  `lateral (select ${columns} from ${table} where ${table}.id = ${key} limit 1)`;
