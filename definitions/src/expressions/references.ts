import { isRecord } from '../json';
import { pointerOf } from '../problem';
import { parsePath } from './path';
import { mayHoldExpression, splitTemplate } from './template';

export interface Reference {
  /** JSON pointer of the string that holds the expression. */
  pointer: string;
  /** The text between `${` and `}`, trimmed, e.g. "ref.output.items[0]". */
  expression: string;
  /** The first name of the path ("workflow", a taskReferenceName, an env root); "" if malformed. */
  root: string;
}

/**
 * Every `${...}` expression in `value`, with where it is. Escaped `$${...}` text and blank `${}`
 * are not references. Object keys are not scanned, as resolveParameters does not resolve them.
 */
export function findReferences(value: unknown, basePointer = ''): Reference[] {
  const found: Reference[] = [];
  collect(value, basePointer, found);
  return found;
}

function collect(value: unknown, pointer: string, found: Reference[]): void {
  if (typeof value === 'string') {
    if (!mayHoldExpression(value)) return;
    for (const part of splitTemplate(value)) {
      if (part.kind !== 'expr') continue;
      const expression = part.path.trim();
      if (expression === '') continue;
      const parsed = parsePath(expression);
      found.push({ pointer, expression, root: parsed.ok ? parsed.root : '' });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => collect(v, pointerOf(pointer, i), found));
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) collect(v, pointerOf(pointer, k), found);
  }
}
