import { encodedFieldsIn, isEncodedValue } from '@baton/definitions';

/** Stands for an encoded value inside a jq query's input; NUL keeps it from colliding with user text. */
const PLACEHOLDER = '\u0000baton-encoded:';

/**
 * jq over a payload holding encoded values (docs/payloads.md, "Codecs"). jq resolves a missing
 * field to null, so a query reading into an envelope (`.payment.card`) would quietly give null.
 * Each envelope is handed to jq as a placeholder string instead: reading into it is then jq's
 * "Cannot index string" error, which this explains naming the encoded fields, and a query passing
 * it along (`{payment: .payment}`) gets the envelope back whole in its result.
 */
export class EncodedMask {
  private readonly envelopes = new Map<string, unknown>();
  readonly input: unknown;

  constructor(input: unknown) {
    this.input = this.mask(input, '.');
  }

  get fields(): string[] {
    return [...this.envelopes.keys()];
  }

  /** The result with every placeholder that survived whole replaced by its envelope again. */
  restore<T>(value: T): T {
    if (this.envelopes.size === 0) return value;
    const visit = (v: unknown): unknown => {
      if (typeof v === 'string' && v.startsWith(PLACEHOLDER))
        return this.envelopes.has(v.slice(PLACEHOLDER.length)) ? this.envelopes.get(v.slice(PLACEHOLDER.length)) : v;
      if (Array.isArray(v)) return v.map(visit);
      if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
      return v;
    };
    return visit(value) as T;
  }

  /** jq's error, with the encoded fields named when the query tripped on one (it saw a string). */
  explain(err: Error): Error {
    if (this.envelopes.size === 0 || !/string/i.test(err.message)) return err;
    const fields = this.fields;
    const shown = fields.slice(0, 5).join(', ') + (fields.length > 5 ? ` and ${fields.length - 5} more` : '');
    return new Error(
      `${err.message}: the query reads into an encoded value (encoded here: ${shown}); the engine holds no keys and cannot read ` +
        "encoded values: pass them whole, or list the fields in the workflow's payloadCodec.clearFields",
    );
  }

  private mask(value: unknown, path: string): unknown {
    if (isEncodedValue(value)) {
      this.envelopes.set(path, value);
      return PLACEHOLDER + path;
    }
    if (Array.isArray(value)) return value.some(holdsEncoded) ? value.map((v, i) => this.mask(v, `${path}[${i}]`)) : value;
    if (typeof value === 'object' && value !== null) {
      if (!holdsEncoded(value)) return value;
      const join = (k: string): string => (path === '.' ? '.' : `${path}.`) + k;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.mask(v, join(k))]));
    }
    return value;
  }
}

function holdsEncoded(value: unknown): boolean {
  return encodedFieldsIn(value, '', 1).length > 0;
}
