import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Events of every throughput comparison, and requests of each ceiling run. */
  events: number;
  /** Keep-alive connections of the load generator (publishers, or raw clients). */
  connections: number;
  /** Untimed events before each timed run, so every process is measured JIT-warm. */
  warmup: number;
  /** Timed runs of each throughput row (sqlite-single, sqlite-batch, pg-workers); the median counts. */
  repeat: number;
  scenarios: string[];
  /** Pending deliveries in the backlog scenario. */
  backlog: number;
  /** Open-loop arrival rate of the latency scenario, events/s, and how long it lasts. */
  rate: number;
  rateSeconds: number;
  /** Worker process counts of the PostgreSQL scenario, measured in one run. */
  workers: number[];
  /** A PostgreSQL server (any database on it) where each run creates and drops its own database. */
  postgresUrl: string;
  /** Directory for V8 profiles of the Herald processes; null: no profiling. */
  cpuProfDir: string | null;
  /** Extra flags for every `herald serve` and `herald worker` started (an A/B of a flag in one build). */
  heraldArgs: string[];
  /** How long to wait for one run's deliveries. */
  timeoutMs: number;
  /** Whole-run limit: past it everything is stopped and the bench exits non-zero. */
  deadlineMs: number;
}

export const USAGE = `usage: npm run bench -- [options]   (or node dist/bench/delivery.js [options])
  --scenario a,b        scenarios to run (default: all; "list" names them)
  --events N            events per throughput comparison and per ceiling run (default 5000)
  --connections C       load-generator keep-alive connections (default 32)
  --warmup N            untimed events before each timed run (default: --events, so Herald is as warm as
                        the ceiling's median run, which follows at least one run of that size)
  --repeat N            timed runs of each throughput row after its warm-up; the row is the median run (default 1)
  --backlog N           pending deliveries in the backlog scenario (default 50000; 1000000 for the issue's figure)
  --rate R              open-loop events/s of the latency scenario (default 200)
  --rate-seconds S      how long the latency scenario publishes (default 10)
  --workers 1,2         worker process counts on PostgreSQL (default 1,2)
  --postgres-url URL    server for the PostgreSQL rows (default $HERALD_BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test)
  --cpu-prof            write V8 profiles of every Herald process and print their top functions
  --cpu-prof-dir DIR    where the profiles go (default .bench/profiles/<timestamp>; implies --cpu-prof)
  --herald-args=FLAGS   extra flags for every herald serve and herald worker, space-separated, e.g.
                        --herald-args=--no-delivery-thread (the bench passes Herald no HERALD_* variable
                        of its own environment: A/B a setting this way)
  --timeout-ms MS       wait for one run's deliveries at most this long (default 180000)
  --deadline-ms MS      stop everything after this long (default 600000 + 3 ms per backlog event)`;

function wholeNumber(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${value}`);
  return n;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      events: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      repeat: { type: 'string' },
      backlog: { type: 'string' },
      rate: { type: 'string' },
      'rate-seconds': { type: 'string' },
      workers: { type: 'string' },
      'postgres-url': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'cpu-prof-dir': { type: 'string' },
      'herald-args': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'deadline-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

export function parseOptions(argv: string[], defaultScenarios: string[]): BenchOptions | 'help' {
  const values = parse(argv);
  if (values.help) return 'help';
  const backlog = wholeNumber('backlog', values.backlog, 50_000, 1);
  const workers = (values.workers ?? '1,2').split(',').map((w) => wholeNumber('workers', w.trim(), 1, 1));
  const profiling = values['cpu-prof'] === true || values['cpu-prof-dir'] !== undefined;
  const events = wholeNumber('events', values.events, 5000, 1);
  return {
    events,
    connections: wholeNumber('connections', values.connections, 32, 1),
    warmup: wholeNumber('warmup', values.warmup, events),
    repeat: wholeNumber('repeat', values.repeat, 1, 1),
    scenarios: values.scenario ? values.scenario.split(',').map((s) => s.trim()).filter(Boolean) : defaultScenarios,
    backlog,
    rate: wholeNumber('rate', values.rate, 200, 1),
    rateSeconds: wholeNumber('rate-seconds', values['rate-seconds'], 10, 1),
    workers,
    postgresUrl: values['postgres-url'] ?? process.env.HERALD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    cpuProfDir: profiling ? (values['cpu-prof-dir'] ?? `.bench/profiles/${new Date().toISOString().replace(/[:.]/g, '-')}`) : null,
    heraldArgs: (values['herald-args'] ?? '').split(/\s+/).filter(Boolean),
    timeoutMs: wholeNumber('timeout-ms', values['timeout-ms'], 180_000, 1),
    deadlineMs: wholeNumber('deadline-ms', values['deadline-ms'], 600_000 + 3 * backlog, 1),
  };
}
