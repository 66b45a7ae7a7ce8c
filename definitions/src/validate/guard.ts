import { MAX_DEPTH, measure } from '../json';
import type { Problem } from '../problem';

/**
 * Validation copies and walks documents recursively. Absurd nesting (or a cycle, from a caller
 * that built the object in code) must become a 4xx problem, not a stack overflow.
 */
export function nestingProblems(input: unknown): Problem[] {
  const { depth } = measure(input, Number.MAX_SAFE_INTEGER, MAX_DEPTH);
  return depth > MAX_DEPTH ? [{ pointer: '', message: `document is nested deeper than ${MAX_DEPTH} levels` }] : [];
}
