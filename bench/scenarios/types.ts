import type { BenchOptions } from '../lib/options.js';
import type { ReceiverProcess } from '../lib/receiver-process.js';
import type { Summary } from '../lib/stats.js';

export interface BenchContext {
  options: BenchOptions;
  /** The shared receiver child; pick a behaviour with `receiver.url('/hang')` etc. */
  receiver: ReceiverProcess;
  /** Progress, on stderr (stdout carries only the results). */
  log(message: string): void;
  /** Adds a row to the results as soon as it is measured, so a run cut short still shows it. */
  report(row: ResultRow): void;
}

/** One line of the results table. */
export interface ResultRow {
  scenario: string;
  /** What was measured, e.g. "raw HTTP" or "Herald". */
  path: string;
  concurrency: number;
  count: number;
  /** raw: responses/s; Herald: deliveries/s, N / (last arrival − first publish). */
  throughput: number;
  /** Herald: publishes accepted/s, N / (last 202 − first publish); null for raw. */
  acceptRate: number | null;
  /** raw: request round trip; Herald: publish sent → arrival at the receiver. In ms. */
  latency: Summary;
  /** Herald's throughput as a share of the raw ceiling measured in the same run. */
  percentOfRaw: number | null;
  /** CPU time of the bench process per item, µs (load generator, plus Herald on its rows). */
  cpuMicrosPerItem?: number;
  /** Anything else worth keeping in the JSON line. */
  details?: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}
