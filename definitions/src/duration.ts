const units: ReadonlyArray<[RegExp, number]> = [
  [/^(?:d|days?)$/, 86_400_000],
  [/^(?:h|hrs?|hours?)$/, 3_600_000],
  [/^(?:m|mins?|minutes?)$/, 60_000],
  [/^(?:s|secs?|seconds?)$/, 1000],
  [/^(?:ms|millis?|milliseconds?)$/, 1],
];

/**
 * Conductor-style durations, in milliseconds: number-unit pairs, optionally spaced ("1h 5m",
 * "10m20s", "2 days", "500ms"); a bare number (or numeric string) is seconds. Null when the text
 * is not a duration. Shared by WAIT, the waits for events and signals, and flow control.
 */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : null;
  if (typeof v !== 'string') return null;
  const text = v.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+)\s*([a-z]+)\s*,?\s*/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  let ms = 0;
  for (const [, n, unit] of parts) {
    const u = units.find(([re]) => re.test(unit ?? ''));
    if (!u) return null;
    ms += Number(n) * u[1];
  }
  return ms;
}
