import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../domain/records';
import { TaskStatus, isTerminalTask } from '../domain/status';
import type { DecideContext } from './context';
import { forkedStepsOf } from './operators/forked-steps';
import { listKey, nestedListsOf, type Position, type StepList } from './positions';

/**
 * Operators' actions that change where a workflow stands, applied by `decide` before it walks on
 * (DecideInput.action), so that what follows them is decided the usual way, with payloads and
 * scripts asked for as usual. Each answers the events to run, or a refusal.
 */
export type WorkflowAction =
  /** Conductor's rerun from a task: that step and what depends on it run again (taskInput merged over its input). */
  | { kind: 'rerun'; ref: string; taskInput?: JsonObject }
  /** Conductor's skip: a step not reached yet is recorded SKIPPED, so the flow passes it by. */
  | { kind: 'skip'; ref: string; input: JsonObject; output: JsonObject };

export type ActionResult = { ok: true; events: string[] } | { ok: false; reason: string };

/** Steps that hold others or wait on them: they cannot be skipped or rerun on their own. */
const structural: ReadonlySet<string> = new Set([
  'SWITCH',
  'DECISION',
  'FORK_JOIN',
  'FORK_JOIN_DYNAMIC',
  'JOIN',
  'EXCLUSIVE_JOIN',
  'DO_WHILE',
]);

export function applyAction(ctx: DecideContext, action: WorkflowAction): ActionResult {
  return action.kind === 'rerun' ? rerun(ctx, action.ref, action.taskInput) : skip(ctx, action.ref, action.input, action.output);
}

/**
 * Rerun from a step: the step, the rest of its list, and what came after each step holding that
 * list (up to the workflow's own list) are reset, and the walk starts again at the step, in a new
 * generation (so the new attempts get ids of their own, and the old ones stay as history). Steps
 * holding the list go back to waiting: a SWITCH waits for its case again, a FORK's JOIN and a
 * DO_WHILE get a fresh open attempt (a loop keeps its iteration). Other branches of a fork are
 * left as they ended. Open attempts of reset steps are cancelled.
 */
function rerun(ctx: DecideContext, ref: string, taskInput: JsonObject | undefined): ActionResult {
  const pos = ctx.position(ref);
  if (!pos) return { ok: false, reason: `'${ref}' is not a step of this workflow's definition` };
  if (structural.has(pos.wt.type ?? 'SIMPLE')) {
    return { ok: false, reason: `'${ref}' is a ${pos.wt.type} step: rerun from a task inside it, or from one before it` };
  }
  ctx.generation++;
  const events: string[] = [];
  forgetFrom(ctx, pos);
  let list: StepList = pos.list;
  while (list.owner !== null) {
    const owner = ctx.position(list.owner) as Position;
    const ownerRef = owner.wt.taskReferenceName;
    const type = owner.wt.type ?? 'SIMPLE';
    if (type === 'SWITCH' || type === 'DECISION') {
      ctx.setExtra(ownerRef, { caseDone: false });
      forgetFrom(ctx, { ...owner, index: owner.index + 1 });
    } else if (type === 'DO_WHILE') {
      reopen(ctx, owner.wt, { bodyDone: false });
      forgetFrom(ctx, { ...owner, index: owner.index + 1 });
    } else {
      // A fork: its JOIN waits again (a new attempt, counted afresh), and what follows it resets.
      const join = owner.list.tasks[owner.index + 1];
      if (join?.type === 'JOIN') {
        cancelAndForget(ctx, join.taskReferenceName);
        events.push(`step:${join.taskReferenceName}`);
        forgetFrom(ctx, { ...owner, index: owner.index + 2 });
      } else {
        forgetFrom(ctx, { ...owner, index: owner.index + 1 });
      }
    }
    list = owner.list;
  }
  ctx.rootDone = false;
  if (taskInput) ctx.inputOverride = { ref, input: taskInput };
  return { ok: true, events: [`from:${ref}`, ...events] };
}

/** Forgets the step at `pos` and every step after it in its list, with everything nested in them. */
function forgetFrom(ctx: DecideContext, pos: Pick<Position, 'list' | 'index'>): void {
  for (let i = pos.index; i < pos.list.tasks.length; i++) forgetTree(ctx, pos.list.tasks[i] as WorkflowTask);
}

function forgetTree(ctx: DecideContext, wt: WorkflowTask): void {
  if (wt.type === 'FORK_JOIN_DYNAMIC') {
    // The forked steps are known from the fork's own record: forget them while it is there.
    for (const t of forkedStepsOf(ctx, wt.taskReferenceName)?.tasks ?? []) forgetTree(ctx, t);
  }
  cancelAndForget(ctx, wt.taskReferenceName);
  for (const nested of nestedListsOf(wt)) for (const t of nested.tasks) forgetTree(ctx, t);
}

function cancelAndForget(ctx: DecideContext, ref: string): void {
  const s = ctx.step(ref);
  if (!s) return;
  if (!isTerminalTask(s.status)) ctx.close(ref, TaskStatus.CANCELED, 'reset by a rerun');
  ctx.forget([ref]);
}

/** A new open attempt of a step the decider holds (a DO_WHILE), keeping its state and output. */
function reopen(ctx: DecideContext, wt: WorkflowTask, extra: JsonObject): void {
  const ref = wt.taskReferenceName;
  const s = ctx.step(ref);
  if (!s) return;
  if (!isTerminalTask(s.status)) {
    ctx.setExtra(ref, extra);
    return;
  }
  const input = ctx.inputOf(ref);
  const output = ctx.outputOf(ref);
  ctx.schedule(wt, {
    status: TaskStatus.IN_PROGRESS,
    queued: false,
    input,
    output,
    iteration: s.iteration,
    extra: { ...(s.extra ?? {}), ...extra },
  });
}

/**
 * Skip a step the flow has not reached yet: it is recorded SKIPPED now (with the given input and
 * output), so the walk passes it by when it gets there. An open step is skipped by ending its
 * attempt instead (the runtime does that: Engine.skipTask), and an ended one cannot be.
 */
function skip(ctx: DecideContext, ref: string, input: JsonObject, output: JsonObject): ActionResult {
  const pos = ctx.position(ref);
  if (!pos) return { ok: false, reason: `'${ref}' is not a step of this workflow's definition` };
  if (structural.has(pos.wt.type ?? 'SIMPLE')) return { ok: false, reason: `'${ref}' is a ${pos.wt.type} step, which cannot be skipped` };
  const s = ctx.step(ref);
  if (s) return { ok: false, reason: `step '${ref}' is ${s.status}: only a step not reached yet, or one still open, can be skipped` };
  ctx.iteration = iterationOf(ctx, pos.list);
  ctx.schedule(pos.wt, { status: TaskStatus.SKIPPED, queued: false, input, output });
  return { ok: true, events: [] };
}

/** The current iteration of the loop holding a list (0 outside loops). */
function iterationOf(ctx: DecideContext, list: StepList): number {
  let l: StepList | undefined = list;
  while (l && l.owner !== null) {
    const owner = ctx.position(l.owner);
    if (owner?.wt.type === 'DO_WHILE' && l.key === listKey.body(l.owner)) {
      const it = ctx.step(l.owner)?.extra?.iteration;
      return typeof it === 'number' ? it : 0;
    }
    l = owner?.list;
  }
  return 0;
}
