import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

export interface Span {
  from: number;
  to: number;
}

/**
 * Where a JSON pointer points in a document's text, JSON or YAML alike (JSON is YAML to this
 * parser, with positions). A pointer to a missing member (a required field) lands on the nearest
 * existing parent; an object or list is marked on its first line only, so the mark stays readable.
 */
export function locatePointer(text: string, pointer: string): Span {
  const doc = parseDocument(text, { uniqueKeys: false, strict: false });
  let node: unknown = doc.contents;
  let span = rangeOf(node) ?? { from: 0, to: Math.min(text.length, lineEnd(text, 0)) };
  const tokens =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const token of tokens) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === token);
      if (!pair) break;
      const keyRange = rangeOf(pair.key);
      const valueRange = rangeOf(pair.value);
      if (keyRange) span = { from: keyRange.from, to: valueRange && isScalar(pair.value) ? valueRange.to : keyRange.to };
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(token)];
      const r = rangeOf(item);
      if (!item || !r) break;
      span = r;
      node = item;
    } else break;
  }
  const firstLineEnd = lineEnd(text, span.from);
  return { from: span.from, to: Math.max(span.from + 1, Math.min(span.to, firstLineEnd)) };
}

function rangeOf(node: unknown): Span | null {
  const r = (node as Node | null | undefined)?.range;
  return r ? { from: r[0], to: r[1] } : null;
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i;
}

/** "invalid JSON at line 3, column 7: ..." (the definitions package's syntax errors) to an offset. */
export function locateLineColumn(text: string, message: string): Span | null {
  const m = /line (\d+), column (\d+)/.exec(message);
  if (!m) return null;
  const line = Number(m[1]);
  const column = Number(m[2]);
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const i = text.indexOf('\n', offset);
    if (i < 0) break;
    offset = i + 1;
  }
  const from = Math.min(text.length, offset + column - 1);
  return { from, to: Math.min(text.length, Math.max(from + 1, lineEnd(text, from))) };
}
