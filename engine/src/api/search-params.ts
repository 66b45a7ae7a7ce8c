import type { Request } from 'express';
import { ValidationError } from '../errors';
import { intParam, stringListParam, stringParam } from './routes/params';
import { resolverOf, type FieldCatalog } from '../search/fields';
import { QuerySyntaxError, parseFreeText, parseQuery, type Expr } from '../search/query';
import type { SearchRequest, SortKey } from '../search/request';

/** Largest page and deepest offset of one search. */
export const MAX_PAGE = 1000;
export const MAX_START = 1_000_000;

/**
 * A search request from Conductor's query parameters: `query` (the filter language of query.ts),
 * `freeText`, `sort` (`field` or `field:ASC|DESC`, repeated or comma-separated), `start`, `size`.
 * `extra` are Baton's older equality parameters (workflowName=, status=, correlationId=), ANDed in.
 */
export function searchRequestOf(
  req: Request,
  catalog: FieldCatalog,
  what: string,
  defaultSort: SortKey,
  extra: Expr[] = [],
): SearchRequest {
  const fields = resolverOf(catalog, what);
  let filter: Expr | null;
  try {
    filter = parseQuery(stringParam(req, 'query') ?? '', fields);
  } catch (err) {
    if (!(err instanceof QuerySyntaxError)) throw err;
    throw new ValidationError(`query parameter 'query' is invalid ${err.message}`, [{ pointer: '/query/query', message: err.message }]);
  }
  const all = [...(filter ? [filter] : []), ...extra];
  const sort = stringListParam(req, 'sort').map((s) => sortKey(s, fields));
  return {
    filter: all.length === 0 ? null : all.length === 1 ? all[0]! : { kind: 'and', items: all },
    text: parseFreeText(stringParam(req, 'freeText')),
    sort: sort.length ? sort : [defaultSort],
    start: intParam(req, 'start', 0, 0, MAX_START),
    size: intParam(req, 'size', 100, 0, MAX_PAGE),
  };
}

function sortKey(raw: string, fields: ReturnType<typeof resolverOf>): SortKey {
  const [name = '', dir = 'ASC', more] = raw.trim().split(':');
  const resolved = fields.resolve(name.trim());
  const order = dir.trim().toUpperCase();
  if (typeof resolved === 'string' || more !== undefined || (order !== 'ASC' && order !== 'DESC')) {
    const message = typeof resolved === 'string' ? resolved : `must be field, field:ASC or field:DESC, got '${raw}'`;
    throw new ValidationError(`query parameter 'sort' is invalid: ${message}`, [{ pointer: '/query/sort', message }]);
  }
  return { field: resolved.field, desc: order === 'DESC' };
}
