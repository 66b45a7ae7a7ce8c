import type { Request } from 'express';
import { MASK } from '../../auth/mask';
import { Role } from '../../domain/roles';
import { principalOf } from '../access/principal';

/**
 * Payload fields of reactions' answers that the generic viewer masking (auth/mask.ts, by key name)
 * does not know: an event's `data`, a signal's `payload`, a query's value. Viewers see `***`.
 */
export function isViewer(req: Request): boolean {
  return principalOf(req)?.role === Role.VIEWER;
}

export function maskFields<T extends object>(req: Request, value: T, fields: ReadonlyArray<keyof T>): T {
  if (!isViewer(req)) return value;
  const out = { ...value } as Record<string, unknown>;
  for (const f of fields) if (out[f as string] !== undefined) out[f as string] = MASK;
  return out as T;
}
