import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject, StepState } from '../../domain/records';
import { TaskStatus, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { refsWithin } from './definition-walk';
import { failNow, holdOpen, isObject, settled } from './shared';

/**
 * How many iterations' outputs a DO_WHILE keeps in its output (Conductor keeps all of them
 * unless `keepLastN` is set). The loop's output lives in the workflow's state, which every
 * decision reads and writes, so it must not grow with the number of iterations (DESIGN.md
 * invariant 6): by default the last 10 iterations are kept; `keepLastN` in the loop's
 * inputParameters chooses another window, up to MAX_KEEP_LAST_N.
 */
export const DEFAULT_KEEP_LAST_N = 10;
export const MAX_KEEP_LAST_N = 1000;

/**
 * DO_WHILE: runs `loopOver` once, then again while `loopCondition` holds. Each iteration's
 * steps are new attempts with the iteration number in their ids and names (`ref__1`, `ref__2`...);
 * the workflow's state keeps only the current iteration's steps, by their plain names.
 *
 * The condition is a script evaluated in the sandbox after each iteration, with Conductor's
 * bindings: `$` holds the loop's resolved inputParameters, the loop's own output under its
 * reference name (`$.loop.iteration`), and the output of every step of the iteration under the
 * step's reference name, not wrapped in `output` (`$.check.done`). A result is true when it is
 * `true` or a number above 0 (Conductor's rule).
 *
 * List iteration (Conductor's `items`, or `_items` in inputParameters as in Orkes): one
 * iteration per item, with `loopItem` and `loopIndex` in the loop's output (and in the
 * condition's bindings); an empty list completes the loop at once with `iteration: 0`; a
 * `loopCondition`, if given, can end it early.
 *
 * The loop's output is `{ iteration, loopItem?, loopIndex?, "<n>": { <ref>: output... } }`,
 * keeping the last `keepLastN` iterations (see DEFAULT_KEEP_LAST_N). Nested DO_WHILE loops are
 * not supported, as in Conductor (use a SUB_WORKFLOW).
 */
export function evaluateDoWhile(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  let step = ctx.step(ref);
  if (step && isTerminalTask(step.status)) return settled(wt, step);
  if (!step) {
    if (ctx.iteration > 0) return failNow(wt, ctx, `DO_WHILE '${ref}' is nested in another DO_WHILE, which is not supported; use a SUB_WORKFLOW`, { terminal: true });
    const input = ctx.resolve(wt.inputParameters);
    const items = listItems(wt, ctx);
    if (items && items.length === 0) {
      ctx.schedule(wt, { status: TaskStatus.COMPLETED, queued: false, input, output: { iteration: 0 } });
      return DONE;
    }
    step = holdOpen(wt, ctx, input, { iteration: 1, ...itemOutput(items, 1) });
  }

  for (;;) {
    const iteration = iterationOf(step);
    const outer = ctx.iteration;
    ctx.iteration = iteration;
    const body = ctx.walk(wt.loopOver ?? []);
    ctx.iteration = outer;

    if (body.kind === 'terminate') return body;
    if (body.kind === 'failed') {
      ctx.finish(ref, TaskStatus.FAILED, step.output, body.reason);
      return body;
    }
    const members = refsWithin(wt.loopOver ?? [], ctx);
    // A forked branch nobody joins may still run: the iteration is over when every step is.
    if (body.kind === 'blocked' || members.some((m) => !isTerminalTask(ctx.step(m)?.status ?? TaskStatus.COMPLETED))) return BLOCKED;

    const items = listItems(wt, ctx);
    const output = recordIteration(wt, ctx, step, iteration, members);
    const next = shouldContinue(wt, ctx, output, iteration, items, members);
    if (!next.ok) {
      ctx.finish(ref, TaskStatus.FAILED_WITH_TERMINAL_ERROR, output, next.error);
      return { kind: 'failed', ref, reason: next.error };
    }
    if (!next.value) {
      ctx.finish(ref, TaskStatus.COMPLETED, output);
      return DONE;
    }
    // Iterations made only of steps the decider completes itself (INLINE, SET_VARIABLE...) would
    // otherwise run without end inside one decision: yield, and continue in the next one.
    if (ctx.loopBudget <= 0) {
      ctx.requestWake(ctx.now);
      return BLOCKED;
    }
    ctx.loopBudget--;
    ctx.forget(members);
    step.output = { ...output, iteration: iteration + 1, ...itemOutput(items, iteration + 1) };
    ctx.touched();
  }
}

const iterationOf = (step: StepState): number => (typeof step.output.iteration === 'number' ? step.output.iteration : 1);

/** The list a list iteration walks, or null for a condition-only loop. */
function listItems(wt: WorkflowTask, ctx: DecideContext): unknown[] | null {
  const expr = (wt as { items?: unknown }).items;
  let value: unknown;
  if (typeof expr === 'string' && expr.trim() !== '') value = ctx.resolve({ items: expr }).items;
  else if (isObject(wt.inputParameters) && wt.inputParameters._items !== undefined) value = ctx.resolve({ items: wt.inputParameters._items }).items;
  else return null;
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function itemOutput(items: unknown[] | null, iteration: number): JsonObject {
  if (!items) return {};
  const loopIndex = iteration - 1;
  return loopIndex < items.length ? { loopIndex, loopItem: items[loopIndex] } : { loopIndex };
}

/** Adds the iteration's outputs under its number and drops those beyond the window. */
function recordIteration(wt: WorkflowTask, ctx: DecideContext, step: StepState, iteration: number, members: string[]): JsonObject {
  const outputs: JsonObject = {};
  for (const m of members) {
    const s = ctx.step(m);
    if (s) outputs[m] = s.output;
  }
  const output: JsonObject = { ...step.output, [String(iteration)]: outputs };
  const keep = keepLastN(wt, ctx);
  for (const key of Object.keys(output)) {
    if (/^\d+$/.test(key) && Number(key) <= iteration - keep) delete output[key];
  }
  step.output = output;
  ctx.touched();
  return output;
}

function keepLastN(wt: WorkflowTask, ctx: DecideContext): number {
  const raw = isObject(wt.inputParameters) ? wt.inputParameters.keepLastN : undefined;
  const n = typeof raw === 'string' ? Number(ctx.resolve({ n: raw }).n) : Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_KEEP_LAST_N) : DEFAULT_KEEP_LAST_N;
}

function shouldContinue(
  wt: WorkflowTask,
  ctx: DecideContext,
  output: JsonObject,
  iteration: number,
  items: unknown[] | null,
  members: string[],
): { ok: true; value: boolean } | { ok: false; error: string } {
  const condition = wt.loopCondition?.trim();
  const hasMore = items ? iteration < items.length : true;
  if (!condition) return { ok: true, value: items ? hasMore : false };

  const $: JsonObject = { ...ctx.resolve(wt.inputParameters), [wt.taskReferenceName]: output };
  for (const m of members) {
    const s = ctx.step(m);
    if (s) $[m] = s.output;
  }
  if (items) Object.assign($, itemOutput(items, iteration));
  const r = ctx.scripts.evaluate(condition, { $ }, { now: ctx.now });
  if (!r.ok) return { ok: false, error: `unable to evaluate loopCondition of '${wt.taskReferenceName}': ${r.error}` };
  const holds = r.value === true || (typeof r.value === 'number' && r.value > 0);
  return { ok: true, value: holds && hasMore };
}
