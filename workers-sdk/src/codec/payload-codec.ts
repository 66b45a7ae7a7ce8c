import { BatonError, ErrorCode } from '../errors';
import type { EncodedValue } from './envelope';
import { isEncodedValue } from './envelope';

/**
 * A codec: turns one JSON value into an encoded envelope and back. Async, so a codec may call a
 * key service. `name` is what the envelope's marker carries; a codec refuses envelopes of another.
 */
export interface PayloadCodec {
  readonly name: string;
  encode(value: unknown): Promise<EncodedValue>;
  decode(encoded: EncodedValue): Promise<unknown>;
}

/** A value could not be encoded or decoded (unknown key id, tampered data, another codec's envelope). */
export class CodecError extends BatonError {
  readonly code = ErrorCode.CODEC_ERROR;
  readonly retryable = false;
}

/** Which top-level fields of a payload stay in clear text (the workflow definition's `payloadCodec.clearFields`). */
export type ClearFields = ReadonlySet<string> | readonly string[];

/**
 * Encodes a payload field by field: each top-level field of an object becomes an envelope of its
 * own, except the clear fields, which the engine can then read for routing (a SWITCH on
 * `orderId`). A value that is already encoded is kept as it is, so passing an envelope through a
 * task does not wrap it twice. A payload that is not an object is encoded whole.
 */
export async function encodePayload(payload: unknown, codec: PayloadCodec, clearFields: ClearFields = []): Promise<unknown> {
  if (isEncodedValue(payload)) return payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return codec.encode(payload);
  const clear = clearFields instanceof Set ? clearFields : new Set(clearFields as readonly string[]);
  const out: Record<string, unknown> = {};
  await Promise.all(
    Object.entries(payload).map(async ([field, value]) => {
      const encoded = clear.has(field) || value === undefined || isEncodedValue(value) ? value : await codec.encode(value);
      Object.defineProperty(out, field, { value: encoded, enumerable: true, writable: true, configurable: true });
    }),
  );
  // Entries were filled concurrently: put them back in the payload's order.
  return Object.fromEntries(
    Object.keys(payload)
      .filter((k) => k in out)
      .map((k) => [k, out[k]]),
  );
}

/** Decodes every envelope inside a payload, at any depth (a task input may nest them in lists). */
export async function decodePayload(payload: unknown, codec: PayloadCodec): Promise<unknown> {
  if (isEncodedValue(payload)) return codec.decode(payload);
  if (Array.isArray(payload)) return Promise.all(payload.map((v) => decodePayload(v, codec)));
  if (typeof payload !== 'object' || payload === null) return payload;
  const entries = await Promise.all(Object.entries(payload).map(async ([k, v]) => [k, await decodePayload(v, codec)] as const));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** encodePayload for payloads the protocol types as objects (inputs, outputs). */
export async function encodeObject(
  payload: Record<string, unknown>,
  codec: PayloadCodec,
  clearFields: ClearFields = [],
): Promise<Record<string, unknown>> {
  return (await encodePayload(payload, codec, clearFields)) as Record<string, unknown>;
}

/** decodePayload for payloads the protocol types as objects; an object whose whole value was encoded decodes to what it held. */
export async function decodeObject(payload: Record<string, unknown>, codec: PayloadCodec): Promise<Record<string, unknown>> {
  const decoded = await decodePayload(payload, codec);
  return typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded)
    ? (decoded as Record<string, unknown>)
    : { result: decoded };
}
