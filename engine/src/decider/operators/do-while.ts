import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { TaskStatus, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { listKey, type StepList } from '../positions';
import type { Container } from '.';
import { forkedStepsOf } from './forked-steps';
import { failNow, finished, holdOpen, isObject, settled } from './shared';

/**
 * How many iterations' outputs a DO_WHILE keeps in its output (Conductor keeps all of them
 * unless `keepLastN` is set). The output must not grow with the number of iterations: by
 * default the last 10 iterations are kept; `keepLastN` in the loop's inputParameters chooses
 * another window, up to MAX_KEEP_LAST_N.
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
 *
 * Each iteration counts against the decision's budget: a loop of steps the decider completes
 * itself (INLINE, SET_VARIABLE...) runs some iterations per decision and goes on in the next
 * (`op:` events), interleaved with other workflows' work. A loop stops, FAILED, at
 * limits.maxLoopIterations.
 */
export function evaluateDoWhile(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (step) return isTerminalTask(step.status) ? settled(wt, step) : BLOCKED;
  if (ctx.iteration > 0)
    return failNow(wt, ctx, `DO_WHILE '${ref}' is nested in another DO_WHILE, which is not supported; use a SUB_WORKFLOW`, {
      terminal: true,
    });
  const input = ctx.resolve(wt.inputParameters);
  const items = listItems(wt, ctx);
  if (ctx.incomplete) return BLOCKED;
  if (items && items.length === 0) {
    ctx.schedule(wt, { status: TaskStatus.COMPLETED, queued: false, input, output: { iteration: 0 } });
    return DONE;
  }
  holdOpen(wt, ctx, input, { iteration: 1, ...itemOutput(items, 1) }, { extra: { iteration: 1, bodyDone: false } });
  return iterate(wt, ctx, true);
}

export const doWhileContainer: Container = {
  listEnded(wt, _list, result, ctx) {
    if (result.kind !== 'done') return bodyStopped(wt, ctx, result);
    ctx.setExtra(wt.taskReferenceName, { bodyDone: true });
    return iterate(wt, ctx, false);
  },
  /** Continues after a yield between iterations, or checks whether an iteration's last steps ended. */
  resume(wt, ctx) {
    const step = ctx.step(wt.taskReferenceName);
    if (!step || isTerminalTask(step.status)) return BLOCKED;
    return iterate(wt, ctx, step.extra?.bodyDone !== true);
  },
};

const bodyOf = (wt: WorkflowTask): StepList => ({
  key: listKey.body(wt.taskReferenceName),
  tasks: wt.loopOver ?? [],
  owner: wt.taskReferenceName,
});

/** Runs iterations: walks the body, then decides at its end whether another one follows. */
function iterate(wt: WorkflowTask, ctx: DecideContext, walkBody: boolean): StepResult {
  const ref = wt.taskReferenceName;
  let walk = walkBody;
  for (;;) {
    if (walk) {
      const r = ctx.walk(bodyOf(wt), 0);
      if (r.kind !== 'done') return bodyStopped(wt, ctx, r);
      ctx.setExtra(ref, { bodyDone: true });
    }
    const end = endOfIteration(wt, ctx);
    if (end !== 'next') return end;
    walk = true;
  }
}

function bodyStopped(wt: WorkflowTask, ctx: DecideContext, r: StepResult): StepResult {
  if (r.kind === 'failed') ctx.finish(wt.taskReferenceName, TaskStatus.FAILED, ctx.outputOf(wt.taskReferenceName), r.reason);
  return r;
}

/**
 * The body was walked to its end: once every step of the iteration ended (a forked branch no
 * JOIN waits for may still run), record the iteration and either end the loop or start the next
 * iteration ('next').
 */
function endOfIteration(wt: WorkflowTask, ctx: DecideContext): StepResult | 'next' {
  const ref = wt.taskReferenceName;
  const members = loopMembers(ctx, ref);
  if (members.some((m) => !isTerminalTask(ctx.step(m)?.status ?? TaskStatus.COMPLETED))) return BLOCKED;
  const step = ctx.step(ref);
  const iteration = typeof step?.extra?.iteration === 'number' ? step.extra.iteration : 1;
  const items = listItems(wt, ctx);
  const output = recordIteration(wt, ctx, iteration, members);
  if (ctx.incomplete) return BLOCKED;
  const next = shouldContinue(wt, ctx, output, iteration, items, members);
  if (next.ok === 'later') return ctx.yieldTo(`op:${ref}`);
  if (!next.ok) {
    ctx.finish(ref, TaskStatus.FAILED_WITH_TERMINAL_ERROR, output, next.error);
    return { kind: 'failed', ref, reason: next.error };
  }
  if (!next.value) return finished(wt, ctx, ctx.finish(ref, TaskStatus.COMPLETED, output));
  const max = ctx.limits.maxLoopIterations;
  if (iteration >= max) {
    const reason = `DO_WHILE '${ref}' reached the limit of ${max} iterations (BATON_MAX_LOOP_ITERATIONS)`;
    ctx.finish(ref, TaskStatus.FAILED_WITH_TERMINAL_ERROR, output, reason);
    return { kind: 'failed', ref, reason };
  }
  ctx.forget(members);
  ctx.stepsLeft--;
  ctx.setOutput(ref, { ...output, iteration: iteration + 1, ...itemOutput(items, iteration + 1) });
  ctx.setExtra(ref, { iteration: iteration + 1, bodyDone: false });
  if (ctx.stepsLeft <= 0) return ctx.yieldTo(`op:${ref}`);
  return 'next';
}

/** Every step of a loop's body, forked steps of dynamic forks in it included. */
function loopMembers(ctx: DecideContext, loop: string): string[] {
  const members = [...ctx.index.membersOf(loop)];
  for (const m of ctx.index.membersOf(loop)) {
    if (ctx.index.position(m)?.wt.type === 'FORK_JOIN_DYNAMIC') members.push(...(forkedStepsOf(ctx, m)?.refs ?? []));
  }
  return members;
}

/** The list a list iteration walks, or null for a condition-only loop. */
function listItems(wt: WorkflowTask, ctx: DecideContext): unknown[] | null {
  const expr = (wt as { items?: unknown }).items;
  let value: unknown;
  if (typeof expr === 'string' && expr.trim() !== '') value = ctx.resolve({ items: expr }).items;
  else if (isObject(wt.inputParameters) && wt.inputParameters._items !== undefined)
    value = ctx.resolve({ items: wt.inputParameters._items }).items;
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
function recordIteration(wt: WorkflowTask, ctx: DecideContext, iteration: number, members: string[]): JsonObject {
  const outputs: JsonObject = {};
  for (const m of members) if (ctx.step(m)) outputs[m] = ctx.outputOf(m);
  const output: JsonObject = { ...ctx.outputOf(wt.taskReferenceName), [String(iteration)]: outputs };
  const keep = keepLastN(wt, ctx);
  for (const key of Object.keys(output)) {
    if (/^\d+$/.test(key) && Number(key) <= iteration - keep) delete output[key];
  }
  ctx.setOutput(wt.taskReferenceName, output);
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
): { ok: true; value: boolean } | { ok: false; error: string } | { ok: 'later' } {
  const condition = wt.loopCondition?.trim();
  const hasMore = items ? iteration < items.length : true;
  if (!condition) return { ok: true, value: items ? hasMore : false };

  const $: JsonObject = { ...ctx.resolve(wt.inputParameters), [wt.taskReferenceName]: output };
  for (const m of members) if (ctx.step(m)) $[m] = ctx.outputOf(m);
  if (items) Object.assign($, itemOutput(items, iteration));
  const r = ctx.script(condition, { $ });
  if (r.ok === 'later') return r;
  if (!r.ok) return { ok: false, error: `unable to evaluate loopCondition of '${wt.taskReferenceName}': ${r.error}` };
  const holds = r.value === true || (typeof r.value === 'number' && r.value > 0);
  return { ok: true, value: holds && hasMore };
}
