import { cpus, loadavg } from 'node:os';
import { ms, rate } from './format.js';
import type { BenchOptions } from './options.js';
import type { ResultRow } from '../scenarios/types.js';

function latencyCell(row: ResultRow): string {
  if (!row.latency) return '–';
  const call = row.latency.publishCallP50 === undefined ? '' : ` (call ${ms(row.latency.publishCallP50)})`;
  return `${ms(row.latency.p50)} / ${ms(row.latency.p99)}${call}`;
}

/** The one markdown table: a row per measured figure, each Herald figure as a ratio to the ceiling. */
export function formatTable(rows: ResultRow[]): string {
  const header = ['scenario', 'what', 'ceiling/s', 'Herald', '× ceiling', 'p50 / p99 ms', 'CPU µs/event'];
  const lines = rows.map((row) => [
    row.scenario,
    row.label,
    row.ceiling === null ? '–' : rate(row.ceiling),
    row.herald,
    row.ratio === null ? '–' : row.ratio.toFixed(row.ratio < 0.1 ? 3 : 2),
    latencyCell(row),
    row.cpuMicrosPerEvent === null || !Number.isFinite(row.cpuMicrosPerEvent) ? '–' : Math.round(row.cpuMicrosPerEvent).toLocaleString('en-US'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const left = (i: number) => i === 0 || i === 1 || i === 3;
  const format = (cells: string[]) => `| ${cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (left(i) ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

export const LEGEND = [
  'ceiling: the load generator POSTs Standard-Webhooks-signed envelopes of the same size straight to the receiver (median of 3 runs; p50/p99 = round trip).',
  'Herald: `herald serve` (+ `herald worker`s on PostgreSQL) in their own processes; the same load generator publishes over the same connections;',
  '        deliveries/s = events / (last arrival − first publish); p50/p99 = publish sent (open loop: due) → arrival at the receiver; call = publish call p50.',
  'CPU µs/event: user + system time of the Herald process(es) (/proc/<pid>/stat) per delivery during the timed part; it moves far less than the rates',
  '        when other work shares the machine.',
].join('\n');

export function formatJson(rows: ResultRow[], options: BenchOptions, startedAt: Date, elapsedMs: number): string {
  const round = (value: unknown): unknown =>
    typeof value === 'number' ? Math.round(value * 1000) / 1000 : Array.isArray(value) ? value.map(round) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)])) : value;
  return `BENCH_JSON ${JSON.stringify(
    round({
      startedAt: startedAt.toISOString(),
      elapsedMs,
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      loadAverageAtEnd: loadavg(),
      options,
      results: rows,
    }),
  )}`;
}
