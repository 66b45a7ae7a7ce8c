import { formatBytes } from '../decider/limits';
import { BatonError, PayloadTooLargeError, ValidationError } from '../errors';

export interface PayloadLimits {
  maxPayloadBytes: number;
  maxJsonDepth: number;
}

/**
 * A client's payload (a workflow's input, a task's output) against the payload limits: an error
 * naming the field and the limit, or null. Depth is checked first, without recursion, so that
 * nothing after it (serialisation, expressions, the store) can overflow the stack on a value
 * nested a hundred thousand levels deep.
 */
export function payloadError(value: unknown, pointer: string, limits: PayloadLimits): BatonError | null {
  const depth = depthOf(value, limits.maxJsonDepth);
  if (depth > limits.maxJsonDepth) {
    return new ValidationError(
      `${pointer.slice(1) || 'the payload'} is nested more than ${limits.maxJsonDepth} levels deep (BATON_MAX_JSON_DEPTH)`,
      [{ pointer, message: `must not be nested more than ${limits.maxJsonDepth} levels deep` }],
    );
  }
  const size = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (size > limits.maxPayloadBytes) {
    const max = formatBytes(limits.maxPayloadBytes);
    return new PayloadTooLargeError(
      `${pointer.slice(1) || 'the payload'} is ${formatBytes(size)}, over the payload limit of ${max} (BATON_MAX_PAYLOAD_BYTES)`,
      [{ pointer, message: `must be at most ${max} as JSON` }],
    );
  }
  return null;
}

/** Nesting depth of a JSON value (a scalar is 1), counted up to `stopAfter` + 1 at most. */
export function depthOf(value: unknown, stopAfter: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (d > max) max = d;
    if (max > stopAfter) return max;
    if (typeof v !== 'object' || v === null) continue;
    for (const child of Array.isArray(v) ? (v as unknown[]) : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
      else if (d + 1 > max) max = d + 1;
    }
  }
  return max;
}
