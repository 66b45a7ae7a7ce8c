import { formatClock } from '../../lib/time';
import type { Throughput } from './throughput';

/** Completions (and failures, in red on top) per minute as small bars; the numbers are in the label and on hover. */
export function Sparkline({ t, width = 150, height = 28 }: { t: Throughput; width?: number; height?: number }) {
  const max = Math.max(1, ...t.completed.map((c, i) => c + (t.failed[i] ?? 0)));
  const bw = width / t.completed.length;
  const label = `ended per minute over the last ${t.completed.length} minutes, oldest first: ${t.completed.map((c, i) => `${c}${t.failed[i] ? ` (+${t.failed[i]} failed)` : ''}`).join(', ')}`;
  return (
    <svg className="spark" width={width} height={height} role="img" aria-label={label}>
      {t.completed.map((c, i) => {
        const f = t.failed[i] ?? 0;
        const hc = (c / max) * (height - 2);
        const hf = (f / max) * (height - 2);
        return (
          <g key={i}>
            <title>{`${formatClock(t.since + i * 60_000)}: ${c} completed, ${f} failed`}</title>
            <rect x={i * bw + 1} y={height - hc} width={bw - 2} height={Math.max(hc, c ? 1 : 0)} className="spark-ok" />
            <rect x={i * bw + 1} y={height - hc - hf} width={bw - 2} height={Math.max(hf, f ? 1 : 0)} className="spark-fail" />
            {c + f === 0 && <rect x={i * bw + 1} y={height - 1} width={bw - 2} height={1} className="spark-zero" />}
          </g>
        );
      })}
    </svg>
  );
}
