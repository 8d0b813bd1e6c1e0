import { useI18n } from '../i18n/index.js';

export interface Bar {
  /** Bucket start, ms since the epoch. */
  start: number;
  /** Stacked from the bottom; `kind` names the CSS class that colours it. */
  parts: { kind: string; value: number }[];
}

/**
 * Stacked bars over a time range, one slot per bucket (empty slots stay empty), with a time
 * axis of five ticks. Inline SVG, no chart library: the dashboard ships no other dependency.
 * `label` is the whole chart said in one sentence, for screen readers.
 */
export function BarChart({ bars, from, to, bucketMs, label, legend }: { bars: Bar[]; from: string; to: string; bucketMs: number; label: string; legend: { kind: string; text: string }[] }) {
  const { lang } = useI18n();
  const width = 600;
  const height = 120;
  const first = Math.floor(Date.parse(from) / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((Date.parse(to) - first) / bucketMs));
  const max = Math.max(1, ...bars.map((bar) => bar.parts.reduce((sum, part) => sum + part.value, 0)));
  const slot = width / count;
  const barWidth = Math.max(1, slot * 0.8);
  const tickFormat = new Intl.DateTimeFormat(lang, bucketMs < 86_400_000 ? { hour: 'numeric', minute: '2-digit' } : { month: 'short', day: 'numeric' });
  const ticks = Array.from({ length: 5 }, (_, i) => Math.round((i * (count - 1)) / 4));
  return (
    <figure className="bar-chart">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="baseline" />
        {bars.map((bar) => {
          const i = Math.round((bar.start - first) / bucketMs);
          let y = height;
          return (
            <g key={bar.start}>
              {bar.parts.map((part) => {
                const h = (part.value / max) * (height - 2);
                if (h <= 0) return null;
                y -= h;
                return <rect key={part.kind} className={part.kind} x={i * slot + (slot - barWidth) / 2} y={y} width={barWidth} height={h} />;
              })}
            </g>
          );
        })}
      </svg>
      <div className="axis" aria-hidden="true" dir="ltr">
        {ticks.map((i) => (
          <span key={i}>{tickFormat.format(first + i * bucketMs)}</span>
        ))}
      </div>
      <ul className="legend">
        {legend.map((item) => (
          <li key={item.kind}>
            <span className={`swatch ${item.kind}`} aria-hidden="true" />
            {item.text}
          </li>
        ))}
      </ul>
    </figure>
  );
}
