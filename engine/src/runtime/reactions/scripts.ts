import type { Json } from '../../domain/records';
import { scriptRequest } from '../../sandbox/types';
import type { Engine } from '../engine';

/** Longest expression the engine evaluates for a handler condition or a WAIT_FOR_EVENT match. */
export const MAX_EXPRESSION_CHARS = 10_000;

/**
 * Evaluates a user expression (an event handler's condition, a WAIT_FOR_EVENT match) in the
 * script sandbox, off the event loop (sandbox/pool.ts), and answers whether it holds, with
 * JavaScript's truthiness. `owner` groups the evaluations the pool serves in turn.
 */
export async function holds(
  engine: Engine,
  expression: string,
  bindings: Record<string, unknown>,
  owner: string,
): Promise<{ ok: true; value: boolean } | { ok: false; error: string }> {
  if (expression.length > MAX_EXPRESSION_CHARS)
    return { ok: false, error: `the expression is longer than ${MAX_EXPRESSION_CHARS} characters` };
  const req = scriptRequest(expression, bindings, engine.clock.now());
  if ('error' in req) return { ok: false, error: req.error };
  const r = await engine.evaluateScript(req, owner);
  return r.ok ? { ok: true, value: truthy(r.value) } : r;
}

function truthy(v: Json): boolean {
  return !(v === null || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));
}
