import type { Expr } from './query';

export interface SortKey {
  field: string;
  desc: boolean;
}

/** A search as the stores receive it: fields are canonical names of a catalog (fields.ts). */
export interface SearchRequest {
  filter: Expr | null;
  /** Words that must all occur in the record's input or output (freeText); empty: no text filter. */
  text: string[];
  sort: SortKey[];
  start: number;
  size: number;
}

export interface SearchPage<T> {
  totalHits: number;
  results: T[];
}
