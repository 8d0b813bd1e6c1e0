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
  /** `postgres` adds the PostgreSQL cluster runs to the scale-out scenario (and makes it the default). */
  store: 'sqlite' | 'postgres';
  /** Worker process counts for the PostgreSQL scale-out runs. */
  workers: number[];
  /** A PostgreSQL server (any database on it) where each run creates and drops its own database. */
  postgresUrl: string;
}

export const USAGE = `usage: node dist/bench/delivery.js [options]
  --events N            events per concurrent run (default 5000)
  --concurrency C       concurrent publishers / raw clients (default 16)
  --serial-events N     events in the one-at-a-time runs (default 500)
  --warmup N            untimed requests before each run (default 200)
  --scenario a,b        scenarios to run (default: the core ones; "list" shows all)
  --timeout-ms MS       wait for deliveries at most this long per run (default 60000)
  --deadline-ms MS      stop everything after this long (default 180000)
  --skip-raw            measure Herald only (no raw ceiling, no ratio)
  --store sqlite|postgres  postgres: run the scale-out scenario on PostgreSQL too (default scenario then: scale-out)
  --workers 1,2,4       worker process counts for --store postgres (default 1,2,4)
  --postgres-url URL    server for --store postgres (default $HERALD_BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test)`;

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
      store: { type: 'string' },
      workers: { type: 'string' },
      'postgres-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const concurrency = positiveInt('concurrency', values.concurrency, 16);
  if (concurrency < 1) throw new Error('--concurrency must be ≥ 1');
  const store = values.store ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, got ${store}`);
  const workers = (values.workers ?? '1,2,4').split(',').map((w) => positiveInt('workers', w.trim(), 1));
  if (workers.some((w) => w < 1)) throw new Error('--workers must list counts ≥ 1');
  return {
    events: positiveInt('events', values.events, 5000),
    concurrency,
    serialEvents: positiveInt('serial-events', values['serial-events'], 500),
    warmup: positiveInt('warmup', values.warmup, 200),
    scenarios: values.scenario ? values.scenario.split(',').map((s) => s.trim()).filter(Boolean) : store === 'postgres' ? ['scale-out'] : defaultScenarios,
    timeoutMs: positiveInt('timeout-ms', values['timeout-ms'], 60_000),
    deadlineMs: positiveInt('deadline-ms', values['deadline-ms'], 180_000),
    skipRaw: values['skip-raw'] === true,
    store,
    workers,
    postgresUrl: values['postgres-url'] ?? process.env.HERALD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}
