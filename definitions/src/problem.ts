/**
 * One thing wrong with a document. `pointer` is an RFC 6901 JSON pointer into the document as the
 * client sent it ("" is the whole document), so an API can return it in problem+json unchanged.
 * A missing required field is reported at the pointer where it should be (e.g. "/tasks/0/name").
 */
export interface Problem {
  pointer: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Escapes one reference token (RFC 6901 section 4: "~" first, then "/"). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(base: string, ...tokens: Array<string | number>): string {
  return tokens.reduce<string>((p, t) => `${p}/${escapePointerToken(t)}`, base);
}

/**
 * Sorts by pointer, comparing token by token and numbers as numbers, so /tasks/2 comes before
 * /tasks/10 and a field's problems stay next to each other; drops exact duplicates.
 */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => comparePointers(a.pointer, b.pointer) || a.message.localeCompare(b.message));
}

function comparePointers(a: string, b: string): number {
  const ta = a.split('/');
  const tb = b.split('/');
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i] as string;
    const y = tb[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

export function invalid<T>(problems: readonly Problem[]): Validation<T> {
  return { ok: false, problems: sortProblems(problems) };
}
