/**
 * The executions page's filters as Conductor's search query language (engine/src/search/query.ts):
 * `workflowType IN (a, b) AND status IN (FAILED) AND startTime >= 1767225600000`. Pure, so the
 * URL, the query text shown to the user and the request always agree.
 */
export interface ExecutionFilters {
  names: string[];
  statuses: string[];
  /** Epoch ms, on the start time. */
  from?: number;
  to?: number;
  correlationId: string;
  workflowId: string;
  freeText: string;
  /** Extra conditions typed by hand, ANDed in. */
  advanced: string;
}

export const emptyFilters: ExecutionFilters = { names: [], statuses: [], correlationId: '', workflowId: '', freeText: '', advanced: '' };

export class QueryValueError extends Error {}

/** A value as the query language reads it: a bare word when it can be, else quoted. */
export function quoteValue(v: string): string {
  if (/^[^\s(),'"]+$/.test(v)) return v;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  throw new QueryValueError(`a value cannot contain both kinds of quotes: ${v}`);
}

export function buildQuery(f: ExecutionFilters): string {
  const parts: string[] = [];
  if (f.names.length) parts.push(`workflowType IN (${f.names.map(quoteValue).join(', ')})`);
  if (f.statuses.length) parts.push(`status IN (${f.statuses.join(', ')})`);
  if (f.from !== undefined) parts.push(`startTime >= ${f.from}`);
  if (f.to !== undefined) parts.push(`startTime <= ${f.to}`);
  if (f.correlationId.trim()) parts.push(`correlationId = ${quoteValue(f.correlationId.trim())}`);
  if (f.workflowId.trim()) parts.push(`workflowId = ${quoteValue(f.workflowId.trim())}`);
  if (f.advanced.trim()) parts.push(parts.length ? `(${f.advanced.trim()})` : f.advanced.trim());
  return parts.join(' AND ');
}

/** Filters <-> the page's URL search parameters, so a filtered view can be linked and reloaded. */
export function filtersFromParams(p: URLSearchParams): ExecutionFilters {
  const num = (k: string) => {
    const v = p.get(k);
    const n = v === null ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const from = num('from');
  const to = num('to');
  return {
    names: p.getAll('name'),
    statuses: p.getAll('status'),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    correlationId: p.get('correlationId') ?? '',
    workflowId: p.get('workflowId') ?? '',
    freeText: p.get('q') ?? '',
    advanced: p.get('query') ?? '',
  };
}

export function paramsFromFilters(f: ExecutionFilters, extra: Record<string, string> = {}): URLSearchParams {
  const p = new URLSearchParams();
  for (const n of f.names) p.append('name', n);
  for (const s of f.statuses) p.append('status', s);
  if (f.from !== undefined) p.set('from', String(f.from));
  if (f.to !== undefined) p.set('to', String(f.to));
  if (f.correlationId) p.set('correlationId', f.correlationId);
  if (f.workflowId) p.set('workflowId', f.workflowId);
  if (f.freeText) p.set('q', f.freeText);
  if (f.advanced) p.set('query', f.advanced);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p;
}
