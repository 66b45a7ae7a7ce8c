/**
 * The path inside `${...}`: a root name followed by `.name`, `[index]` or `['quoted name']`
 * steps, as in `workflow.input.order.id` or `ref.output.items[0]['unit price']`. This is the
 * subset of JSONPath that Conductor definitions use in practice; filters, wildcards and
 * functions are not supported (an expression using them resolves to null and fails validation).
 */
export type PathStep = string | number;

export type ParsedPath = { ok: true; root: string; steps: PathStep[] } | { ok: false; error: string };

export function parsePath(text: string): ParsedPath {
  const src = text.trim();
  if (src === '') return { ok: false, error: 'is empty' };
  const tokens: PathStep[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '[') {
      const close = bracketEnd(src, i);
      if (close < 0) return { ok: false, error: `has an unclosed '[' at ${i}` };
      const inner = src.slice(i + 1, close).trim();
      const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(inner);
      if (quoted) tokens.push(quoted[1] ?? quoted[2] ?? '');
      else if (/^-?\d+$/.test(inner)) tokens.push(Number(inner));
      else return { ok: false, error: `has an unsupported selector [${inner}]` };
      i = close + 1;
    } else {
      if (tokens.length > 0) {
        if (c !== '.') return { ok: false, error: `expects '.' or '[' at ${i}` };
        i++;
      }
      const end = nameEnd(src, i);
      const name = src.slice(i, end).trim();
      if (name === '') return { ok: false, error: `has an empty name at ${i}` };
      tokens.push(name);
      i = end;
    }
  }
  const [root, ...steps] = tokens;
  if (typeof root !== 'string') return { ok: false, error: 'must start with a name' };
  return { ok: true, root, steps };
}

function nameEnd(src: string, from: number): number {
  let i = from;
  while (i < src.length && src[i] !== '.' && src[i] !== '[') i++;
  return i;
}

/** Index of the `]` closing the `[` at `open`, skipping quoted text; -1 if none. */
function bracketEnd(src: string, open: number): number {
  let quote: string | null = null;
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return -1;
}

/** Follows `steps` from `start`; a step that does not apply gives undefined, never an error. */
export function readPath(start: unknown, steps: readonly PathStep[]): unknown {
  let cur = start;
  for (const step of steps) {
    if (Array.isArray(cur)) {
      const n = typeof step === 'number' ? step : /^\d+$/.test(step) ? Number(step) : NaN;
      if (!Number.isInteger(n)) return undefined;
      cur = cur[n < 0 ? cur.length + n : n];
    } else if (typeof cur === 'object' && cur !== null) {
      // Own properties only: "constructor" or "__proto__" must not reach into prototypes.
      const key = String(step);
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
      cur = (cur as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return cur;
}
