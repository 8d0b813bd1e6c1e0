/**
 * Where SQLite time goes, per statement: preload it into a bench run,
 *   SQL_PROFILE_OUT=/tmp/sql.txt NODE_OPTIONS=--import=./dist/bench/sql-profile.js npm run bench -- --scenario sqlite-single
 * It wraps better-sqlite3's `prepare` and the statement methods (Herald's code is untouched)
 * and prints, at exit, each SQL text with its calls, prepare time and execute time.
 * Timing adds ~1 µs per call; compare statements with each other, not with an unprofiled run.
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Tally {
  calls: number;
  prepares: number;
  prepareMs: number;
  executeMs: number;
}

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as { prototype: { prepare(sql: string): any } };
const tallies = new Map<string, Tally>();
// Kysely spells `in (?, ?, ?)` per list length; fold them so one statement is one line.
const normalise = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\((?:\?, )+\?\)/g, '(?…)').trim();
const tallyOf = (sql: string): Tally => {
  const key = normalise(sql);
  let tally = tallies.get(key);
  if (!tally) tallies.set(key, (tally = { calls: 0, prepares: 0, prepareMs: 0, executeMs: 0 }));
  return tally;
};

let statementPatched = false;
function patchStatement(proto: Record<string, any>): void {
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const tally = tallyOf(this.source);
        tally.calls += 1;
        tally.executeMs += performance.now() - started;
      }
    };
  }
}

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: unknown, sql: string) {
  const started = performance.now();
  const statement = prepare.call(this, sql);
  const tally = tallyOf(sql);
  tally.prepares += 1;
  tally.prepareMs += performance.now() - started;
  if (!statementPatched) {
    patchStatement(Object.getPrototypeOf(statement));
    statementPatched = true;
  }
  return statement;
};

process.on('exit', () => {
  const rows = [...tallies.entries()].sort((a, b) => b[1].prepareMs + b[1].executeMs - (a[1].prepareMs + a[1].executeMs));
  const total = rows.reduce((sum, [, t]) => sum + t.prepareMs + t.executeMs, 0);
  const lines = rows.slice(0, 30).map(
    ([sql, t]) =>
      `${(t.prepareMs + t.executeMs).toFixed(0).padStart(7)} ms ${t.calls.toString().padStart(7)} calls  prepare ${t.prepareMs.toFixed(0).padStart(5)} ms  exec ${t.executeMs.toFixed(0).padStart(5)} ms  ${((1000 * t.executeMs) / Math.max(1, t.calls)).toFixed(0).padStart(5)} µs/exec  ${sql.slice(0, 220)}`,
  );
  if (total === 0) return;
  const report = `\n## SQLite time by statement (total ${total.toFixed(0)} ms)\n${lines.join('\n')}\n`;
  // A bench child's stderr is kept by the bench, not shown: SQL_PROFILE_OUT names a file instead.
  if (process.env.SQL_PROFILE_OUT) appendFileSync(process.env.SQL_PROFILE_OUT, report);
  else process.stderr.write(report);
});
