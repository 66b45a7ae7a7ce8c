/**
 * Conductor's search query language, parsed into a tree the stores translate (store/sqlite/search.ts,
 * store/mongo/search.ts): comparisons `field = value`, `!=`, `>`, `<`, `>=`, `<=`, `field IN (a, b)`,
 * `field NOT IN (...)`, combined with AND and OR (AND binds tighter) and parentheses. Values are bare
 * words (`FAILED`, `1712000000000`, `order-1`) or quoted strings ("a b", 'a b'). Keywords are
 * case-insensitive. Which fields exist and how their values are typed is the caller's field catalog
 * (fields.ts); a syntax error names the position, counted from 0.
 */

export type CompareOp = '=' | '!=' | '>' | '<' | '>=' | '<=';
export type Scalar = string | number;

export type Expr =
  | { kind: 'and'; items: Expr[] }
  | { kind: 'or'; items: Expr[] }
  | { kind: 'cmp'; field: string; op: CompareOp; value: Scalar }
  | { kind: 'in'; field: string; values: Scalar[]; negate: boolean };

export class QuerySyntaxError extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(`at position ${position}: ${message}`);
  }
}

/** How a field's values are read: its canonical name, and a converter that may throw a message. */
export interface FieldResolver {
  resolve(name: string): { field: string; convert(raw: string): Scalar } | string;
}

/** Longest query accepted: a query is a filter, not a payload. */
export const MAX_QUERY_LENGTH = 4000;
/** Values in one IN list, and nesting depth of parentheses. */
const MAX_IN_VALUES = 1000;
const MAX_DEPTH = 32;

export function parseQuery(text: string, fields: FieldResolver): Expr | null {
  if (text.length > MAX_QUERY_LENGTH)
    throw new QuerySyntaxError(MAX_QUERY_LENGTH, `the query is longer than ${MAX_QUERY_LENGTH} characters`);
  const p = new Parser(text, fields);
  p.skipSpace();
  if (p.atEnd()) return null;
  const expr = p.parseOr(0);
  p.skipSpace();
  if (!p.atEnd()) throw p.error(`unexpected '${p.rest(12)}'; expected AND, OR or the end`);
  return expr;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly fields: FieldResolver,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }
  rest(n: number): string {
    return this.s.slice(this.pos, this.pos + n);
  }
  error(message: string, at = this.pos): QuerySyntaxError {
    return new QuerySyntaxError(at, message);
  }
  skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos] ?? '')) this.pos++;
  }

  /** A keyword (AND, OR, IN, NOT) as a whole word, case-insensitive; consumed when present. */
  private keyword(word: string): boolean {
    this.skipSpace();
    const next = this.s.slice(this.pos, this.pos + word.length);
    const after = this.s[this.pos + word.length] ?? '';
    if (next.toUpperCase() !== word || /[A-Za-z0-9_]/.test(after)) return false;
    this.pos += word.length;
    return true;
  }

  parseOr(depth: number): Expr {
    const items = [this.parseAnd(depth)];
    while (this.keyword('OR')) items.push(this.parseAnd(depth));
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private parseAnd(depth: number): Expr {
    const items = [this.parseTerm(depth)];
    while (this.keyword('AND')) items.push(this.parseTerm(depth));
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private parseTerm(depth: number): Expr {
    this.skipSpace();
    if (this.s[this.pos] === '(') {
      if (depth >= MAX_DEPTH) throw this.error(`parentheses nest deeper than ${MAX_DEPTH}`);
      this.pos++;
      const inner = this.parseOr(depth + 1);
      this.skipSpace();
      if (this.s[this.pos] !== ')') throw this.error(this.atEnd() ? "missing ')'" : `expected ')' but found '${this.rest(12)}'`);
      this.pos++;
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    this.skipSpace();
    const at = this.pos;
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.s.slice(this.pos));
    if (!m)
      throw this.error(this.atEnd() ? 'expected a field name but the query ended' : `expected a field name but found '${this.rest(12)}'`);
    this.pos += m[0].length;
    const resolved = this.fields.resolve(m[0]);
    if (typeof resolved === 'string') throw this.error(resolved, at);
    if (this.keyword('NOT')) {
      if (!this.keyword('IN')) throw this.error('expected IN after NOT');
      return { kind: 'in', field: resolved.field, values: this.parseList(resolved.convert), negate: true };
    }
    if (this.keyword('IN')) return { kind: 'in', field: resolved.field, values: this.parseList(resolved.convert), negate: false };
    this.skipSpace();
    const op = (['>=', '<=', '!=', '=', '>', '<'] as const).find((o) => this.s.startsWith(o, this.pos));
    if (!op) throw this.error(`expected =, !=, >, <, >=, <=, IN or NOT IN after '${m[0]}'`);
    this.pos += op.length;
    return { kind: 'cmp', field: resolved.field, op, value: this.parseValue(resolved.convert) };
  }

  private parseList(convert: (raw: string) => Scalar): Scalar[] {
    this.skipSpace();
    if (this.s[this.pos] !== '(') throw this.error("expected '(' to open the IN list");
    this.pos++;
    const values: Scalar[] = [];
    for (;;) {
      values.push(this.parseValue(convert));
      if (values.length > MAX_IN_VALUES) throw this.error(`an IN list holds at most ${MAX_IN_VALUES} values`);
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ')') {
        this.pos++;
        return values;
      }
      throw this.error(c === undefined ? "missing ')' to close the IN list" : `expected ',' or ')' but found '${this.rest(12)}'`);
    }
  }

  private parseValue(convert: (raw: string) => Scalar): Scalar {
    this.skipSpace();
    const at = this.pos;
    const quote = this.s[this.pos];
    let raw: string;
    if (quote === '"' || quote === "'") {
      const end = this.s.indexOf(quote, this.pos + 1);
      if (end < 0) throw this.error(`unterminated ${quote === '"' ? 'double' : 'single'}-quoted value`);
      raw = this.s.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      const m = /^[^\s(),'"]+/.exec(this.s.slice(this.pos));
      if (!m) throw this.error(this.atEnd() ? 'expected a value but the query ended' : `expected a value but found '${this.rest(12)}'`);
      raw = m[0];
      this.pos += raw.length;
    }
    try {
      return convert(raw);
    } catch (err) {
      throw this.error(err instanceof Error ? err.message : String(err), at);
    }
  }
}

/** Splits Conductor's `freeText` into words; `*` or blank means no text filter. Quoted phrases stay whole. */
export function parseFreeText(text: string | undefined): string[] {
  if (text === undefined) return [];
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '*') return [];
  const terms: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    const term = (m[1] ?? m[2] ?? '').trim();
    if (term && term !== '*') terms.push(term);
  }
  return terms.slice(0, 16);
}
