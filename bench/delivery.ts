/**
 * `npm run bench`: Herald's end-to-end delivery throughput and latency against the raw-HTTP
 * ceiling of the same machine, measured in the same run. A receiver runs in a child process;
 * Herald (API + workers, SQLite) runs in this one, as `herald serve --dev` would.
 * Results: a markdown table on stdout, then one `BENCH_JSON {...}` line; progress on stderr.
 */
import { runCleanup } from './lib/cleanup.js';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.js';
import { ReceiverProcess } from './lib/receiver-process.js';
import { formatJson, formatTable, LEGEND } from './lib/report.js';
import { DEFAULT_SCENARIOS, SCENARIOS } from './scenarios/index.js';
import type { BenchContext, ResultRow, Scenario } from './scenarios/types.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function pickScenarios(names: string[]): Scenario[] {
  return names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return scenario;
  });
}

/** Rows of the scenarios that finished, printed even when the run is cut short. */
const rows: ResultRow[] = [];
const startedAt = new Date();

function printResults(options: BenchOptions): void {
  if (rows.length === 0) return;
  process.stdout.write(`\n${formatTable(rows)}\n\n${LEGEND}\n\n${formatJson(rows, options, startedAt, Date.now() - startedAt.getTime())}\n`);
}

/** Set once a deadline or signal stops the run: the failures that stopping causes are not news. */
let aborting = false;

async function abort(options: BenchOptions, reason: string, code: number): Promise<never> {
  if (aborting) return new Promise<never>(() => undefined);
  aborting = true;
  log(`${reason}: stopping${rows.length > 0 ? '; results so far follow' : ''}`);
  await runCleanup(5_000);
  printResults(options);
  process.exit(code);
}

async function main(options: BenchOptions, scenarios: Scenario[]): Promise<void> {
  const deadline = setTimeout(() => void abort(options, `deadline of ${options.deadlineMs} ms reached`, 2), options.deadlineMs);
  deadline.unref();
  process.once('SIGINT', () => void abort(options, 'SIGINT', 130));
  process.once('SIGTERM', () => void abort(options, 'SIGTERM', 143));

  try {
    const receiver = await ReceiverProcess.start();
    const ctx: BenchContext = { options, receiver, log, report: (row) => void rows.push(row) };
    for (const scenario of scenarios) await scenario.run(ctx);
  } finally {
    await runCleanup();
    clearTimeout(deadline);
  }
  printResults(options);
}

let options: BenchOptions | 'help';
try {
  options = parseOptions(process.argv.slice(2), DEFAULT_SCENARIOS);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(64);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n\nscenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.description}`).join('\n')}\n`);
} else if (options.scenarios.includes('list')) {
  process.stdout.write(`${SCENARIOS.map((s) => `${s.name.padEnd(16)} ${s.description}`).join('\n')}\n`);
} else {
  const chosen = options;
  let scenarios: Scenario[] = [];
  try {
    scenarios = pickScenarios(chosen.scenarios);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(64);
  }
  main(chosen, scenarios).catch(async (error: unknown) => {
    if (aborting) return; // abort() cleans up, prints and exits
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await runCleanup(5_000);
    printResults(chosen);
    process.exit(1);
  });
}
