export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A tree-shaped copy of plain data: objects and arrays are copied, everything else is shared.
 * Unlike structuredClone it does not preserve shared references, which matters for YAML anchors:
 * two steps written with `*alias` must become two objects before defaults are written into them.
 */
export function copyTree<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => copyTree(v)) as T;
  if (isRecord(value)) {
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(value)) {
      // JSON.parse makes "__proto__" an ordinary key; plain assignment would set the prototype.
      Object.defineProperty(out, k, { value: copyTree(v), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return value;
}

/**
 * Size and depth of a value as a tree (shared references counted each time they occur), walked
 * without recursion and abandoned once past either limit, so cycles and alias bombs end quickly.
 */
export function measure(root: unknown, maxValues: number, maxDepth = Infinity): { values: number; depth: number } {
  let values = 0;
  let depth = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0 && values <= maxValues && depth <= maxDepth) {
    const [v, d] = stack.pop() as [unknown, number];
    values++;
    if (d > depth) depth = d;
    if (typeof v !== 'object' || v === null) continue;
    for (const child of Array.isArray(v) ? (v as unknown[]) : Object.values(v)) stack.push([child, d + 1]);
  }
  return { values, depth };
}

/**
 * Deeper than any real definition (a step nested in ten SWITCH branches is about 40 levels), and
 * shallow enough that the recursive copy, Ajv and the resolver stay far from the stack limit.
 */
export const MAX_DEPTH = 400;
