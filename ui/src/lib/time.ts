/**
 * Times in the user's own zone (the browser's), short in tables; exact to the millisecond, with
 * the zone and in UTC, on hover (components/Time.tsx).
 */
const short = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const withYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const exact = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  timeZoneName: 'short',
});
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const userTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A time for a table cell: the year only when it is not this year's. */
export function formatTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  return d.getFullYear() === new Date(now).getFullYear() ? short.format(d) : withYear.format(d);
}

export function formatClock(ms: number): string {
  return clock.format(new Date(ms));
}

/** What a hover shows: the local time to the millisecond with its zone, then UTC, then epoch ms (what queries take). */
export function formatExact(ms: number): string {
  return `${exact.format(new Date(ms))}\n${new Date(ms).toISOString()} (UTC)\n${ms} ms since epoch`;
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return Number.isInteger(s) ? `${s} s` : `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "12 s ago", "3 min ago", "in 5 min". */
export function formatRelative(ms: number, now = Date.now()): string {
  const d = now - ms;
  const text = formatDuration(Math.abs(d)).replace(/\.\d+ s$/, ' s');
  return d >= 0 ? `${text} ago` : `in ${text}`;
}

/** Epoch ms <-> the value of an <input type="datetime-local">, in the user's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** Summary times are ISO strings (Conductor's WorkflowSummary); executions carry epoch ms. */
export function toMs(v: string | number | undefined | null): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return v;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : 0;
}
