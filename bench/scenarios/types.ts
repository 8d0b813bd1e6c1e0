import type { LoadProcess } from '../lib/load-process.js';
import type { BenchOptions } from '../lib/options.js';
import type { ReceiverProcess } from '../lib/receiver-process.js';

export interface BenchContext {
  options: BenchOptions;
  /** The receiver child; pick a behaviour with `receiver.url('/hang')` etc. */
  receiver: ReceiverProcess;
  /** The load-generator child, for Herald and the ceiling alike. */
  load: LoadProcess;
  /** The raw signed-POST ceiling of this run, requests/s (median of three, measured once). */
  ceiling(): Promise<number>;
  /** Progress, on stderr (stdout carries only the results). */
  log(message: string): void;
  /** Adds a row to the results as soon as it is measured, so a run cut short still shows it. */
  report(row: ResultRow): void;
  /** Keeps a CPU profile summary for the end of the output. */
  reportProfile(label: string, summary: string): void;
}

/** One line of the results table. */
export interface ResultRow {
  /** Scenario name, then what this row measured. */
  scenario: string;
  label: string;
  /** The ceiling it is compared with, requests/s; null when the row has no ratio. */
  ceiling: number | null;
  /** Herald's figure, as the table shows it ("1,141 deliveries/s", "not available"). */
  herald: string;
  /** Herald's figure ÷ the ceiling. */
  ratio: number | null;
  /** Publish sent → received at the receiver, ms, and the publish call's own p50; null when not measured. */
  latency: { p50: number; p99: number; publishCallP50?: number } | null;
  /** CPU time of the Herald process(es) per delivered event, µs. */
  cpuMicrosPerEvent: number | null;
  /** Everything else worth keeping, in the JSON line. */
  details: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}
