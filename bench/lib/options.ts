import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Events (and raw requests) in the concurrent runs. */
  events: number;
  /** Concurrent publishers (and raw clients) in the concurrent runs. */
  concurrency: number;
  /** Events in the one-at-a-time runs. */
  serialEvents: number;
  /** Untimed requests before each timed run, so both paths are measured JIT-warm. */
  warmup: number;
  scenarios: string[];
  /** How long to wait for the last delivery of a run. */
  timeoutMs: number;
  /** Skip the raw-HTTP runs, e.g. to profile Herald alone. */
  skipRaw: boolean;
  /** Whole-run limit: past it everything is stopped and the bench exits non-zero. */
  deadlineMs: number;
}

export const USAGE = `usage: node dist/bench/delivery.js [options]
  --events N            events per concurrent run (default 5000)
  --concurrency C       concurrent publishers / raw clients (default 16)
  --serial-events N     events in the one-at-a-time runs (default 500)
  --warmup N            untimed requests before each run (default 200)
  --scenario a,b        scenarios to run (default: the core ones; "list" shows all)
  --timeout-ms MS       wait for deliveries at most this long per run (default 60000)
  --deadline-ms MS      stop everything after this long (default 180000)
  --skip-raw            measure Herald only (no raw ceiling, no ratio)`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got ${value}`);
  return n;
}

export function parseOptions(argv: string[], defaultScenarios: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      concurrency: { type: 'string' },
      'serial-events': { type: 'string' },
      warmup: { type: 'string' },
      scenario: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'deadline-ms': { type: 'string' },
      'skip-raw': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const concurrency = positiveInt('concurrency', values.concurrency, 16);
  if (concurrency < 1) throw new Error('--concurrency must be ≥ 1');
  return {
    events: positiveInt('events', values.events, 5000),
    concurrency,
    serialEvents: positiveInt('serial-events', values['serial-events'], 500),
    warmup: positiveInt('warmup', values.warmup, 200),
    scenarios: values.scenario ? values.scenario.split(',').map((s) => s.trim()).filter(Boolean) : defaultScenarios,
    timeoutMs: positiveInt('timeout-ms', values['timeout-ms'], 60_000),
    deadlineMs: positiveInt('deadline-ms', values['deadline-ms'], 180_000),
    skipRaw: values['skip-raw'] === true,
  };
}
