// The encoded envelope: what an encoded value looks like on the wire and in the engine's store.
// The engine recognises it by its marker alone (it holds no keys), so expressions and scripts that
// read into one fail with a message naming the field (docs/payloads.md, "Codecs").

/** The marker field of an encoded value; its value names the codec that made it. */
export const ENCODED_MARKER = '__baton_codec';

/** One encoded JSON value: `{"__baton_codec": "aes-256-gcm", "keyId": "k1", "data": "<base64>"}`. */
export interface EncodedValue {
  readonly [ENCODED_MARKER]: string;
  /** Which key encoded it (codecs without keys leave it out). */
  readonly keyId?: string;
  /** The codec's output, base64. */
  readonly data: string;
}

export function isEncodedValue(value: unknown): value is EncodedValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v[ENCODED_MARKER] === 'string' && typeof v.data === 'string' && (v.keyId === undefined || typeof v.keyId === 'string');
}

/** True when any value inside `value` (itself included) is an encoded envelope. */
export function containsEncoded(value: unknown): boolean {
  if (isEncodedValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsEncoded);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsEncoded);
  return false;
}
