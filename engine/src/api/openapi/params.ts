import type { RouteDoc } from './routes';

/** Shorthands for the route documents' parameters and schemas, shared by routes*.ts. */
export type Param = NonNullable<RouteDoc['params']>[number];

export const path = (name: string, description?: string): Param => ({
  name,
  in: 'path',
  type: 'string',
  required: true,
  ...(description ? { description } : {}),
});

export const q = (name: string, type: Param['type'], description: string, def?: unknown): Param => ({
  name,
  in: 'query',
  type,
  description,
  ...(def !== undefined ? { default: def } : {}),
});

export const arr = (items: unknown): unknown => ({ type: 'array', items });
