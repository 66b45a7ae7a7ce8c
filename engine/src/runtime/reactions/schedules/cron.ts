import { Cron } from 'croner';

/**
 * Cron expressions of schedules (Conductor's: six fields, seconds first, e.g. `0 0 9 * * MON-FRI`),
 * read by croner in a time zone. Only the arithmetic lives here (the next due times); firing is
 * the scheduler's.
 */
export class CronError extends Error {}

export function compileCron(expression: string, zoneId: string): Cron {
  if (!validZone(zoneId))
    throw new CronError(`'${zoneId}' is not a known time zone (IANA names, e.g. UTC, Europe/Berlin, America/New_York)`);
  try {
    return new Cron(expression.trim(), { timezone: zoneId, paused: true, mode: '6-part' });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    throw new CronError(`'${expression}' is not a six-field cron expression (second minute hour day-of-month month day-of-week): ${why}`);
  }
}

/** The first due time strictly after `after` (ms), not after `end` when given; 0 when there is none. */
export function nextAfter(cron: Cron, after: number, end?: number): number {
  const next = cron.nextRun(new Date(after));
  if (!next) return 0;
  const at = next.getTime();
  return end !== undefined && end > 0 && at > end ? 0 : at;
}

/** The next `n` due times from `from` (inclusive of a due time at `from`), within `end` when given. */
export function nextFew(cron: Cron, from: number, n: number, end?: number): number[] {
  const out: number[] = [];
  let at = from - 1;
  while (out.length < n) {
    at = nextAfter(cron, at, end);
    if (at === 0) break;
    out.push(at);
  }
  return out;
}

export function validZone(zoneId: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zoneId });
    return true;
  } catch {
    return false;
  }
}
