import { copyTree, isRecord } from '../json';
import { EncodedReadError, isEncodedValue } from './encoded';
import { parsePath, readPath, type PathStep } from './path';
import { mayHoldExpression, splitTemplate } from './template';

/**
 * What expressions can see. `workflow` is the running workflow (input, output, workflowId,
 * correlationId, variables...), `tasks` the steps by taskReferenceName (input, output, status...),
 * and `env` any further roots the engine offers.
 */
export interface ExpressionContext {
  workflow: Record<string, unknown>;
  /**
   * The steps: a map, or a lookup called only for the roots an expression names, so that an
   * engine need not build (or load) every step's record to resolve a few expressions.
   */
  tasks: Record<string, Record<string, unknown> | undefined> | ((ref: string) => Record<string, unknown> | undefined);
  env?: Record<string, unknown>;
  /**
   * Throw EncodedReadError when an expression reads into an encoded value (docs/payloads.md)
   * instead of resolving it to null, so that the step fails with a message naming the field.
   */
  failOnEncoded?: boolean;
}

/**
 * Resolves every `${...}` in `params`, deeply (object values and array items; keys are left as
 * they are). Conductor's rules:
 * - a string that is exactly one expression becomes the value it points at, keeping its JSON type
 *   (object, array, number, boolean, null);
 * - an expression that cannot be resolved gives null, never an error;
 * - expressions inside longer text are interpolated: strings as they are, numbers and booleans
 *   as text, objects and arrays as JSON, null or unresolvable as the empty string;
 * - `$${` stands for a literal `${`, and a blank `${}` for the empty string.
 * Pure: neither argument is modified, and values taken from the context are copied, so the result
 * can be stored or changed without touching the context.
 */
export function resolveParameters(params: unknown, ctx: ExpressionContext): unknown {
  if (typeof params === 'string') return mayHoldExpression(params) ? resolveString(params, ctx) : params;
  if (Array.isArray(params)) return params.map((v: unknown) => resolveParameters(v, ctx));
  if (isRecord(params)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) {
      Object.defineProperty(out, k, { value: resolveParameters(v, ctx), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return params;
}

function resolveString(s: string, ctx: ExpressionContext): unknown {
  const parts = splitTemplate(s);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.kind === 'expr') return copyTree(valueOf(only.path, ctx) ?? null);
  return parts.map((p) => (p.kind === 'text' ? p.text : interpolate(valueOf(p.path, ctx)))).join('');
}

// A blank `${}` is Conductor's way of writing an empty string.
const valueOf = (path: string, ctx: ExpressionContext): unknown => (path.trim() === '' ? '' : evaluate(path, ctx));

/** The value at a path, or undefined when any part of it is missing or the path is malformed. */
function evaluate(path: string, ctx: ExpressionContext): unknown {
  const parsed = parsePath(path);
  if (!parsed.ok) return undefined;
  const root = rootValue(parsed.root, ctx);
  if (ctx.failOnEncoded === true) refuseEncodedReads(path, root, parsed.root, parsed.steps);
  return readPath(root, parsed.steps);
}

/** Throws when a step of the path would go inside an encoded envelope (reading it whole is fine). */
function refuseEncodedReads(expression: string, root: unknown, rootName: string, steps: readonly PathStep[]): void {
  let cur = root;
  let field = rootName;
  for (let i = 0; i < steps.length; i++) {
    if (isEncodedValue(cur)) throw new EncodedReadError(field, `\${${expression.trim()}}`, cur.__baton_codec);
    const step = steps[i] as PathStep;
    cur = readPath(cur, [step]);
    if (cur === undefined) return;
    field += typeof step === 'number' ? `[${step}]` : `.${step}`;
  }
}

function rootValue(root: string, ctx: ExpressionContext): unknown {
  if (root === 'workflow') return ctx.workflow;
  const { tasks } = ctx;
  if (typeof tasks === 'function') {
    const found = tasks(root);
    if (found !== undefined) return found;
  } else if (Object.prototype.hasOwnProperty.call(tasks, root)) return tasks[root];
  if (ctx.env && Object.prototype.hasOwnProperty.call(ctx.env, root)) return ctx.env[root];
  return undefined;
}

function interpolate(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
