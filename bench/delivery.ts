/**
 * `npm run bench`: Herald's delivery figures as ratios to the raw signed-POST ceiling measured
 * in the same run. Four kinds of process: this one (orchestration and bookkeeping only), the
 * load generator, the receiver, and Herald's own (`herald serve`, plus `herald worker`s on
 * PostgreSQL). Results: one markdown table on stdout, then one `BENCH_JSON {...}` line;
 * progress on stderr. Every child is stopped on a normal end, an error, SIGINT/SIGTERM and
 * the `--deadline-ms` limit.
 */
import { loadavg } from 'node:os';
import { runCleanup } from './lib/cleanup.js';
import { LoadProcess } from './lib/load-process.js';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.js';
import { ReceiverProcess } from './lib/receiver-process.js';
import { formatJson, formatTable, LEGEND } from './lib/report.js';
import { measureCeiling } from './scenarios/ceiling.js';
import { DEFAULT_SCENARIOS, SCENARIOS } from './scenarios/index.js';
import type { BenchContext, ResultRow, Scenario } from './scenarios/types.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function pickScenarios(names: string[]): Scenario[] {
  return names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return scenario;
  });
}

/** Rows of the scenarios that finished, printed even when the run is cut short. */
const rows: ResultRow[] = [];
const profiles: Array<{ label: string; summary: string }> = [];
const startedAt = new Date();
const loadAtStart = load();

function printResults(options: BenchOptions): void {
  for (const { label, summary } of profiles) process.stdout.write(`\n## CPU profile: ${label}\n${summary}\n`);
  if (rows.length === 0) return;
  const elapsed = Date.now() - startedAt.getTime();
  const machine = `load average (1/5/15 min) at start ${loadAtStart}, at end ${load()}; ${(elapsed / 1000).toFixed(0)} s`;
  process.stdout.write(`\n${formatTable(rows)}\n\n${LEGEND}\n${machine}\n\n${formatJson(rows, options, startedAt, elapsed)}\n`);
}

/** Set once a deadline or signal stops the run: the failures that stopping causes are not news. */
let aborting = false;

async function abort(options: BenchOptions, reason: string, code: number): Promise<never> {
  if (aborting) return new Promise<never>(() => undefined);
  aborting = true;
  log(`${reason}: stopping${rows.length > 0 ? '; results so far follow' : ''}`);
  await runCleanup(12_000);
  printResults(options);
  process.exit(code);
}

/**
 * A scenario that fails (a timeout on a slow store, say) becomes a "failed" row and the run
 * goes on: the other figures of the same run still count. Its processes are already stopped
 * by its own `finally`.
 */
async function runScenario(ctx: BenchContext, scenario: Scenario): Promise<void> {
  try {
    await scenario.run(ctx);
  } catch (error) {
    if (aborting) throw error;
    const message = error instanceof Error ? error.message : String(error);
    log(`${scenario.name} failed: ${message}`);
    ctx.report({ scenario: scenario.name, label: 'failed', ceiling: null, herald: `failed: ${message.slice(0, 120)}`, ratio: null, latency: null, cpuMicrosPerEvent: null, details: { error: message } });
  }
}

async function main(options: BenchOptions, scenarios: Scenario[]): Promise<void> {
  const deadline = setTimeout(() => void abort(options, `deadline of ${options.deadlineMs} ms reached`, 2), options.deadlineMs);
  deadline.unref();
  process.once('SIGINT', () => void abort(options, 'SIGINT', 130));
  process.once('SIGTERM', () => void abort(options, 'SIGTERM', 143));
  log(`load average at start: ${loadAtStart} (other work on this machine skews the rates, not the CPU per event)`);
  try {
    const [receiver, loadGenerator] = await Promise.all([ReceiverProcess.start(), LoadProcess.start()]);
    let ceiling: Promise<number> | null = null;
    const ctx: BenchContext = {
      options,
      receiver,
      load: loadGenerator,
      ceiling: () => (ceiling ??= measureCeiling(ctx)),
      log,
      report: (row) => void rows.push(row),
      reportProfile: (label, summary) => void profiles.push({ label, summary }),
    };
    for (const scenario of scenarios) await runScenario(ctx, scenario);
  } finally {
    await runCleanup();
    clearTimeout(deadline);
  }
  printResults(options);
}

function start(): void {
  let options: BenchOptions | 'help';
  let scenarios: Scenario[];
  try {
    options = parseOptions(process.argv.slice(2), DEFAULT_SCENARIOS);
    if (options === 'help' || options.scenarios.includes('list')) {
      if (options === 'help') process.stdout.write(`${USAGE}\n\nscenarios:\n`);
      process.stdout.write(`${SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.description}`).join('\n')}\n`);
      return;
    }
    scenarios = pickScenarios(options.scenarios);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(64);
  }
  const chosen = options;
  main(chosen, scenarios).catch(async (error: unknown) => {
    if (aborting) return; // abort() cleans up, prints and exits
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await runCleanup(12_000);
    printResults(chosen);
    process.exit(1);
  });
}

start();
