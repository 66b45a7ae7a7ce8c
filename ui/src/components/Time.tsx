import { formatDuration, formatExact, formatRelative, formatTime, toMs } from '../lib/time';

/** A moment in the user's zone; the exact value (ms, zone, UTC, epoch) on hover and to screen readers. */
export function Time({ value, relative }: { value: number | string | undefined | null; relative?: boolean }) {
  const ms = toMs(value);
  if (!ms) return <span className="muted">–</span>;
  const exact = formatExact(ms);
  return (
    <time dateTime={new Date(ms).toISOString()} title={exact} data-ms={ms}>
      {relative ? formatRelative(ms) : formatTime(ms)}
    </time>
  );
}

export function Duration({ ms, title }: { ms: number | null | undefined; title?: string }) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return <span className="muted">–</span>;
  return <span title={title ?? `${Math.round(ms)} ms`}>{formatDuration(ms)}</span>;
}
