import { readFileSync } from 'node:fs';
import { parseDocument } from '@baton/definitions';
import { UsageError } from './exit-codes';

/**
 * A JSON object given on the command line: inline (`'{"a":1}'`), or `@file` (JSON or YAML), or `@-`
 * for stdin. Anything else is a usage error naming the flag.
 */
export function objectArg(flag: string, raw: string): Record<string, unknown> {
  let text = raw;
  let contentType: string | undefined = 'application/json';
  if (raw.startsWith('@')) {
    const file = raw.slice(1);
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${file === '-' ? 'stdin' : file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    contentType = /\.ya?ml$/i.test(file) ? 'application/yaml' : undefined;
  }
  const parsed = parseDocument(text, contentType);
  if (!parsed.ok) throw new UsageError(`${flag}: ${parsed.problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`);
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new UsageError(`${flag}: must be a JSON object`);
  }
  return parsed.value as Record<string, unknown>;
}

export function intArg(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

/**
 * A point in time: ISO 8601 (`2026-11-23`, `2026-11-23T14:00Z`), epoch milliseconds, or an age
 * before now (`90s`, `15m`, `2h`, `7d`).
 */
export function timeArg(flag: string, raw: string, now: number): number {
  const age = /^(\d+)(s|m|h|d)$/.exec(raw.trim());
  if (age) return now - Number(age[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d{10,}$/.test(raw.trim())) return Number(raw);
  const t = Date.parse(raw);
  if (Number.isNaN(t))
    throw new UsageError(`${flag} must be an ISO 8601 time, epoch milliseconds or an age like 15m, 2h, 7d; got '${raw}'`);
  return t;
}
