// Encoded payloads (docs/payloads.md, "Codecs"): the SDKs' codecs replace a field's value with an
// envelope, `{"__baton_codec": "<codec>", "keyId": "...", "data": "<base64>"}`. The engine holds
// no keys: it recognises envelopes by their marker, passes them along whole, and refuses to read
// into them, with an error that names the field, instead of resolving such a read to null.

export const ENCODED_MARKER = '__baton_codec';

export function isEncodedValue(value: unknown): value is { [ENCODED_MARKER]: string; data: string; keyId?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v[ENCODED_MARKER] === 'string' && typeof v.data === 'string';
}

/** An expression or a script read into an encoded value: the step fails with this message. */
export class EncodedReadError extends Error {
  readonly code = 'ENCODED_PAYLOAD';
  constructor(
    /** Where the encoded value sits, as the expression names it (`workflow.input.payment`). */
    readonly field: string,
    /** What tried to read into it (`${workflow.input.payment.card}`). */
    readonly reader: string,
    readonly codec: string,
  ) {
    super(
      `${reader} reads into ${field}, which is encoded (${codec}): the engine holds no keys and cannot read encoded values. ` +
        `Pass ${field} whole to a worker that decodes it, or list it in the workflow's payloadCodec.clearFields`,
    );
    this.name = 'EncodedReadError';
  }
}

/** Paths of the envelopes inside `value` (`base.payment`, `base.items[2]`), for messages; at most `max`. */
export function encodedFieldsIn(value: unknown, base: string, max = 10): string[] {
  const found: string[] = [];
  const visit = (v: unknown, path: string): void => {
    if (found.length >= max) return;
    if (isEncodedValue(v)) found.push(path);
    else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null)
      for (const [k, item] of Object.entries(v)) visit(item, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}['${k}']`);
  };
  visit(value, base);
  return found;
}
