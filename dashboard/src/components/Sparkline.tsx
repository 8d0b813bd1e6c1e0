import type { EndpointStats } from '../api/types.js';
import { useI18n } from '../i18n/index.js';


/** A success-rate sparkline: one point per bucket of the range, gaps where nothing was sent. No chart library. */
export function Sparkline({ stats, from, to, bucketMs }: { stats: EndpointStats | undefined; from: string; to: string; bucketMs: number }) {
  const { t } = useI18n();
  const width = 120;
  const height = 24;
  const first = Math.floor(Date.parse(from) / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((Date.parse(to) - first) / bucketMs));
  const rates = new Map((stats?.buckets ?? []).map((b) => [Date.parse(b.start), b.successRate]));
  const x = (i: number) => (count === 1 ? width / 2 : (i / (count - 1)) * width);
  const y = (rate: number) => 2 + (1 - rate) * (height - 4);
  // Consecutive buckets with attempts make one segment; a lone bucket is a dot.
  const segments: { i: number; rate: number }[][] = [];
  let current: { i: number; rate: number }[] = [];
  for (let i = 0; i < count; i++) {
    const rate = rates.get(first + i * bucketMs);
    if (rate === undefined || rate === null) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push({ i, rate });
  }
  if (current.length) segments.push(current);
  const rate = stats?.totals.successRate;
  const label = rate === null || rate === undefined ? t('stats.noTraffic') : t('stats.successRate', { rate: Math.round(rate * 1000) / 10 });
  const tone = rate === null || rate === undefined ? 'idle' : rate >= 0.95 ? 'ok' : rate >= 0.8 ? 'warn' : 'bad';
  return (
    <span className={`sparkline ${tone}`} data-testid="sparkline">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <line x1="0" x2={width} y1={y(1)} y2={y(1)} className="baseline" />
        {segments.map((segment) =>
          segment.length === 1 ? (
            <circle key={segment[0]!.i} cx={x(segment[0]!.i)} cy={y(segment[0]!.rate)} r="1.5" />
          ) : (
            <polyline key={segment[0]!.i} fill="none" points={segment.map((p) => `${x(p.i).toFixed(1)},${y(p.rate).toFixed(1)}`).join(' ')} />
          ),
        )}
      </svg>
      <span className="sparkline-label">{label}</span>
    </span>
  );
}
