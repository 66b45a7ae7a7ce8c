import type { Request } from 'express';
import { ValidationError } from '../../errors';

/** Query parameters, checked: a bad value is a 400 naming the parameter, never a silent default. */
export function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ValidationError(`query parameter '${name}' must be an integer from ${min} to ${max}`, [
      { pointer: `/query/${name}`, message: `must be an integer from ${min} to ${max}` },
    ]);
  }
  return n;
}

export function stringParam(req: Request, name: string): string | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new ValidationError(`query parameter '${name}' must be given once`, [
      { pointer: `/query/${name}`, message: 'must be a single string' },
    ]);
  }
  return raw;
}

export function stringListParam(req: Request, name: string): string[] {
  const raw = req.query[name];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).filter((s) => s.length > 0);
}

/** Conductor's boolean query parameters: true or false (absent: `fallback`). */
export function boolParam(req: Request, name: string, fallback = false): boolean {
  const v = stringParam(req, name);
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ValidationError(`query parameter '${name}' must be true or false`, [
    { pointer: `/query/${name}`, message: 'must be true or false' },
  ]);
}
