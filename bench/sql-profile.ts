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
  /** Execute times of the first SAMPLE calls, for the median: a mean hides a few slow calls (checkpoints in a commit). */
  samples: number[];
}

const SAMPLE = 100_000;

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as { prototype: { prepare(sql: string): any } };
const tallies = new Map<string, Tally>();
// Kysely spells `in (?, ?, ?)` per list length; fold them so one statement is one line.
const normalise = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\((?:\?, )+\?\)/g, '(?…)').trim();
const tallyOf = (sql: string): Tally => {
  const key = normalise(sql);
  let tally = tallies.get(key);
  if (!tally) tallies.set(key, (tally = { calls: 0, prepares: 0, prepareMs: 0, executeMs: 0, samples: [] }));
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
        const took = performance.now() - started;
        tally.calls += 1;
        tally.executeMs += took;
        if (tally.samples.length < SAMPLE) tally.samples.push(took);
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
  const microseconds = (ms: number, width: number) => (1000 * ms).toFixed(0).padStart(width);
  const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
  const lines = rows.slice(0, 30).map(
    ([sql, t]) =>
      `${(t.prepareMs + t.executeMs).toFixed(0).padStart(7)} ms ${t.calls.toString().padStart(7)} calls  prepare ${t.prepareMs.toFixed(0).padStart(5)} ms  exec ${t.executeMs.toFixed(0).padStart(5)} ms  ${microseconds(t.executeMs / Math.max(1, t.calls), 5)} µs/exec (p50 ${microseconds(median(t.samples), 5)})  ${sql.slice(0, 220)}`,
  );
  if (total === 0) return;
  const report = `\n## SQLite time by statement (total ${total.toFixed(0)} ms)\n${lines.join('\n')}\n`;
  // A bench child's stderr is kept by the bench, not shown: SQL_PROFILE_OUT names a file instead.
  if (process.env.SQL_PROFILE_OUT) appendFileSync(process.env.SQL_PROFILE_OUT, report);
  else process.stderr.write(report);
});
