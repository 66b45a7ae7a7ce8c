import { isDeepStrictEqual } from 'node:util';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The top-level fields that differ between two versions of a definition (absent on one side: undefined). */
export function fieldChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): FieldChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .sort()
    .filter((k) => !isDeepStrictEqual(before?.[k], after?.[k]))
    .map((field) => ({ field, before: before?.[field], after: after?.[field] }));
}

export function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
