import { cpus } from 'node:os';
import type { BenchOptions } from './options.js';
import type { ResultRow } from '../scenarios/types.js';

const fixed = (value: number | null, digits: number): string => (value === null || Number.isNaN(value) ? '–' : value.toFixed(digits));

/** A markdown table: one row per measured path, the ratio on Herald's rows. */
export function formatTable(rows: ResultRow[]): string {
  const header = ['scenario', 'path', 'conc', 'N', 'throughput/s', 'accepted/s', 'p50 ms', 'p99 ms', 'max ms', '% of raw', 'cpu µs/item'];
  const lines = rows.map((row) => [
    row.scenario,
    row.path,
    String(row.concurrency),
    String(row.count),
    fixed(row.throughput, 0),
    fixed(row.acceptRate, 0),
    fixed(row.latency.p50, 2),
    fixed(row.latency.p99, 2),
    fixed(row.latency.max, 2),
    row.percentOfRaw === null ? '–' : `${row.percentOfRaw.toFixed(1)} %`,
    row.cpuMicrosPerItem === undefined ? '–' : fixed(row.cpuMicrosPerItem, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

export const LEGEND = [
  'raw HTTP: keep-alive POSTs of the same body straight to the receiver; throughput = responses/s; latency = request round trip.',
  'Herald: publish via the API, delivery to the receiver; throughput = N / (last arrival − first publish); accepted/s = publish 202s/s;',
  '        latency = publish sent → arrival at the receiver (receiver clock, same epoch). % of raw = Herald / raw at the same concurrency.',
  'cpu µs/item: CPU time (user + system) of the bench process per request or event: load generator, plus Herald on its rows;',
  '        it hardly moves when other work shares the machine, unlike the rates. The receiver child\'s share is in the JSON.',
].join('\n');

export function formatJson(rows: ResultRow[], options: BenchOptions, startedAt: Date, elapsedMs: number): string {
  const round = (value: unknown): unknown =>
    typeof value === 'number' ? Math.round(value * 100) / 100 : Array.isArray(value) ? value.map(round) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)])) : value;
  return `BENCH_JSON ${JSON.stringify(
    round({
      startedAt: startedAt.toISOString(),
      elapsedMs,
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      options,
      results: rows,
    }),
  )}`;
}
