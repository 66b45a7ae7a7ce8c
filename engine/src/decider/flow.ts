import type { WorkflowTask } from '@baton/definitions';
import { isTerminalTask } from '../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from './context';
import { containerOf, evaluatorOf } from './operators';
import { refusingEncodedReads } from './encoded-reads';
import { forkedStepsOf } from './operators/forked-steps';
import { listKey, type Position, type StepList } from './positions';

/**
 * The decider's walk, driven by what changed (docs/architecture.md, "Bounded decisions").
 *
 * A decision never walks the definition from the top. It starts from events:
 *  - `step:<ref>`: the step's latest attempt changed (a result was folded in): evaluate the step
 *    again (its operator retries, gives up or goes on) and, if it is done, walk on after it;
 *  - `from:<ref>`: walk the step's list from that step (a walk stopped there on the budget);
 *  - `op:<ref>`: the step's operator continues what it left (a dynamic fork starting more
 *    branches, a loop's next iteration or its end-of-iteration check);
 *  - `root`: walk the workflow's own list from its first step (a new workflow).
 * When a list ends, the step that holds it is told (`listEnded`), and so on up to the workflow.
 * Steps waiting on others by name (JOIN, EXCLUSIVE_JOIN) are evaluated again when one of those
 * changed, and a DO_WHILE whose body was walked to its end when one of its steps changed.
 * So a decision costs the steps it touches and the lists it walks on, not the workflow's size.
 */
export function installFlow(ctx: DecideContext): void {
  ctx.walk = (list, from) => walkList(ctx, list, from);
  ctx.position = (ref) => positionOf(ctx, ref);
}

/** Runs the events (and whatever they lead to). Returns the workflow's outcome: on, failed, terminated, done. */
export function runFlow(ctx: DecideContext, events: readonly string[]): StepResult {
  const queue = [...events];
  let seen = 0;
  for (;;) {
    let entry: string | undefined;
    const again = ctx.pending.shift();
    if (again !== undefined) entry = `step:${again}`;
    else entry = queue.shift();
    if (entry === undefined) {
      // The queue ran dry: the steps changed since the last look may wake JOINs and loops.
      const woken = watchersOfChanges(ctx, seen);
      seen = ctx.changeLog.length;
      if (woken.length === 0) break;
      queue.push(...woken);
      continue;
    }
    const r = handle(ctx, entry);
    if (r.kind === 'failed' || r.kind === 'terminate') return r;
  }
  return DONE;
}

function handle(ctx: DecideContext, entry: string): StepResult {
  if (entry === 'root') {
    const root = ctx.index.list(listKey.root) as StepList;
    return settle(ctx, root, walkList(ctx, root, 0));
  }
  const colon = entry.indexOf(':');
  const kind = entry.slice(0, colon);
  const ref = entry.slice(colon + 1);
  const pos = ctx.position(ref);
  if (!pos) return BLOCKED; // no longer part of the flow (a loop's earlier iteration)
  if (kind === 'from') return settle(ctx, pos.list, walkList(ctx, pos.list, pos.index));
  setIteration(ctx, pos.list);
  let r: StepResult;
  if (kind === 'op') {
    const resume = containerOf(pos.wt)?.resume;
    r = resume ? refusingEncodedReads(pos.wt, ctx, () => resume(pos.wt, ctx)) : BLOCKED;
  } else {
    r = refusingEncodedReads(pos.wt, ctx, () => evaluatorOf(pos.wt)(pos.wt, ctx));
  }
  return settle(ctx, pos.list, r.kind === 'done' ? walkList(ctx, pos.list, pos.index + 1) : r);
}

/**
 * Walks `list` from `from` in order: a step that is done lets the next one be evaluated; the
 * first one that is blocked, failed or terminating stops the walk. A step not started yet is
 * left for the next decision when this one has used its budget.
 */
function walkList(ctx: DecideContext, list: StepList, from: number): StepResult {
  for (let i = from; i < list.tasks.length; i++) {
    const wt = list.tasks[i] as WorkflowTask;
    if (ctx.stepsLeft <= 0 && !ctx.step(wt.taskReferenceName)) return ctx.yieldTo(`from:${wt.taskReferenceName}`);
    setIteration(ctx, list);
    const r = refusingEncodedReads(wt, ctx, () => evaluatorOf(wt)(wt, ctx));
    if (r.kind !== 'done') return r;
  }
  return DONE;
}

/**
 * What follows a walk of `list` that ended with `result`: nothing while it is blocked; otherwise
 * the step holding the list hears of it, and if that step is done in turn, its own list walks on.
 */
function settle(ctx: DecideContext, list: StepList, result: StepResult): StepResult {
  let current = list;
  let r = result;
  for (;;) {
    if (r.kind === 'blocked') return BLOCKED;
    if (current.owner === null) {
      if (r.kind === 'done') ctx.rootDone = true;
      return r;
    }
    const owner = ctx.position(current.owner);
    const container = owner ? containerOf(owner.wt) : undefined;
    if (!owner || !container) return BLOCKED;
    setIteration(ctx, owner.list);
    const ended = r;
    r = refusingEncodedReads(owner.wt, ctx, () => container.listEnded(owner.wt, current, ended, ctx));
    if (r.kind === 'done') r = walkList(ctx, owner.list, owner.index + 1);
    current = owner.list;
  }
}

/** New steps of a list inside a DO_WHILE belong to the loop's current iteration. */
function setIteration(ctx: DecideContext, list: StepList): void {
  const loop = list.owner === null ? undefined : loopHolding(ctx, list);
  const step = loop ? ctx.step(loop) : undefined;
  ctx.iteration = typeof step?.extra?.iteration === 'number' ? step.extra.iteration : 0;
}

function loopHolding(ctx: DecideContext, list: StepList): string | undefined {
  const owner = list.owner as string;
  const pos = ctx.position(owner);
  if (pos?.wt.type === 'DO_WHILE' && list.key === listKey.body(owner)) return owner;
  return loopOf(ctx, owner);
}

/** The DO_WHILE holding a step, forked steps included. */
export function loopOf(ctx: DecideContext, ref: string): string | undefined {
  const loop = ctx.index.loopOf(ref);
  if (loop) return loop;
  const forked = forkOf(ctx, ref);
  return forked ? (forked.steps.index.loopOf(ref) ?? loopOf(ctx, forked.fork)) : undefined;
}

/** Where a step sits: in the definition, or among the steps a dynamic fork forked. */
function positionOf(ctx: DecideContext, ref: string): Position | undefined {
  return ctx.index.position(ref) ?? forkOf(ctx, ref)?.steps.index.position(ref);
}

function forkOf(ctx: DecideContext, ref: string): { fork: string; steps: NonNullable<ReturnType<typeof forkedStepsOf>> } | undefined {
  const visit = (forks: readonly string[]): { fork: string; steps: NonNullable<ReturnType<typeof forkedStepsOf>> } | undefined => {
    for (const fork of forks) {
      const steps = forkedStepsOf(ctx, fork);
      if (!steps) continue;
      if (steps.index.position(ref)) return { fork, steps };
      const inner = visit(steps.index.dynamicForks);
      if (inner) return inner;
    }
    return undefined;
  };
  return visit(ctx.index.dynamicForks);
}

/** Steps waiting on a step by name: the definition's JOINs, and a dynamic fork's JOIN for its forked steps. */
function watchersOf(ctx: DecideContext, ref: string): readonly string[] {
  const own = ctx.index.watchersOf(ref);
  if (own.length > 0 || ctx.index.position(ref)) return own;
  return forkOf(ctx, ref)?.steps.index.watchersOf(ref) ?? own;
}

/** Events for the JOINs and loops that steps changed since `from` (in the change log) may move. */
function watchersOfChanges(ctx: DecideContext, from: number): string[] {
  const woken = new Set<string>();
  const log = ctx.changeLog;
  const looked = new Set<string>();
  for (let i = from; i < log.length; i++) {
    const ref = log[i] as string;
    if (looked.has(ref)) continue;
    looked.add(ref);
    for (const w of watchersOf(ctx, ref)) {
      const s = ctx.step(w);
      if (s && !isTerminalTask(s.status)) woken.add(`step:${w}`);
    }
    const loop = loopOf(ctx, ref);
    if (loop && loop !== ref && ctx.step(loop)?.extra?.bodyDone === true) woken.add(`op:${loop}`);
  }
  return [...woken];
}

/** The JOINs waiting on any of `refs`, and those among `refs` themselves. */
export function joinsWatching(ctx: DecideContext, refs: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const ref of refs) {
    for (const w of watchersOf(ctx, ref)) out.add(w);
    if (ctx.index.position(ref)?.wt.type === 'JOIN') out.add(ref);
  }
  return out;
}
