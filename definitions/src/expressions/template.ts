/**
 * Splits a string into literal text and `${...}` expressions. `$${` is an escape for a literal
 * `${` (Conductor's convention). A `}` inside a quoted bracket key (`['a}b']`) does not end the expression;
 * a `${` that is never closed is literal text.
 */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; path: string };

export function splitTemplate(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (s.startsWith('${', i)) {
      const close = closingBrace(s, i + 2);
      if (close >= 0) {
        if (text) parts.push({ kind: 'text', text });
        text = '';
        parts.push({ kind: 'expr', path: s.slice(i + 2, close) });
        i = close + 1;
        continue;
      }
    }
    text += s[i];
    i++;
  }
  if (text || parts.length === 0) parts.push({ kind: 'text', text });
  return parts;
}

function closingBrace(s: string, from: number): number {
  let inBracket = false;
  let quote: string | null = null;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (inBracket) {
      if (c === "'" || c === '"') quote = c;
      else if (c === ']') inBracket = false;
    } else if (c === '[') inBracket = true;
    else if (c === '}') return i;
  }
  return -1;
}

/** True when the string holds at least one expression or escape, so it needs resolving. */
export function mayHoldExpression(s: string): boolean {
  return s.includes('${');
}
