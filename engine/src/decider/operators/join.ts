import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject, StepState } from '../../domain/records';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, type DecideContext, type StepResult } from '../context';
import { forkedStepsOf } from './forked-steps';
import { finished, holdOpen, settled } from './shared';

/**
 * JOIN: waits until every step named in its `joinOn` has ended successfully, then completes with
 * an output mapping each of them to its output (Conductor leaves out empty outputs). After a
 * FORK_JOIN_DYNAMIC, the fork creates the JOIN itself, joining on the steps it forked.
 * A joined step that failed (and is not optional) has already failed the workflow by the time
 * the JOIN looks; should it find one anyway, the JOIN fails with that step's reason. A joined
 * optional step that gave up makes the JOIN COMPLETED_WITH_ERRORS. A joined step that was never
 * scheduled, while nothing else runs that could schedule it, fails the JOIN instead of leaving
 * the workflow waiting forever (decide.ts, stuckJoin).
 *
 * The JOIN is evaluated again whenever one of its steps changes (flow.ts). It keeps how many of
 * them have not ended (`extra.waiting`), updated from the steps each decision changed, so a
 * branch ending in a 10,000-branch fork costs what it costs in a 10-branch one.
 */
export function evaluateJoin(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const joinOn = joinOnOf(wt, ctx);
  if (!joinOn) return BLOCKED; // the forked steps are not loaded yet: this pass is redone
  const step = ctx.step(ref) ?? holdOpen(wt, ctx, { joinOn: joinOn.list }, {}, { extra: { waiting: joinOn.list.length } });
  if (isTerminalTask(step.status)) return settled(wt, step);
  if (waitingOf(ctx, ref, joinOn) > 0) return BLOCKED;

  const joined: Array<[string, Readonly<StepState>]> = joinOn.list.map((on) => [on, ctx.step(on) as StepState]);
  const failed = joined.filter(([, s]) => !isSuccessfulTask(s.status));
  if (failed.length > 0) {
    const reason = failed.map(([on, s]) => s.reason ?? `${on} ${s.status.toLowerCase()}`).join(' ');
    ctx.finish(ref, TaskStatus.FAILED, {}, reason);
    return { kind: 'failed', ref, reason };
  }
  const output: JsonObject = {};
  for (const [on] of joined) {
    const out = ctx.outputOf(on);
    if (Object.keys(out).length > 0) output[on] = out;
  }
  if (ctx.incomplete) return BLOCKED;
  const withErrors = joined.some(([, s]) => s.status === TaskStatus.COMPLETED_WITH_ERRORS);
  return finished(wt, ctx, ctx.finish(ref, withErrors ? TaskStatus.COMPLETED_WITH_ERRORS : TaskStatus.COMPLETED, output));
}

export interface JoinOn {
  list: readonly string[];
  set: ReadonlySet<string>;
}

const staticJoinOn = new WeakMap<WorkflowTask, JoinOn>();

/**
 * The steps a JOIN waits for: its `joinOn`, or, right after a FORK_JOIN_DYNAMIC, the steps the
 * fork forked. Null while those are not loaded (the decision then asks for the fork's input).
 */
export function joinOnOf(wt: WorkflowTask, ctx: DecideContext): JoinOn | null {
  const pos = ctx.position(wt.taskReferenceName);
  const prev = pos && pos.index > 0 ? pos.list.tasks[pos.index - 1] : undefined;
  if (prev?.type === 'FORK_JOIN_DYNAMIC') {
    const forked = forkedStepsOf(ctx, prev.taskReferenceName);
    return forked ? { list: forked.refs, set: forked.refSet } : ctx.step(prev.taskReferenceName) ? null : { list: [], set: new Set() };
  }
  let on = staticJoinOn.get(wt);
  if (!on) {
    const list = wt.joinOn ?? [];
    on = { list, set: new Set(list) };
    staticJoinOn.set(wt, on);
  }
  return on;
}

/** 1 while a joined step has not ended (or does not exist yet). */
const waits = (s: Readonly<StepState> | undefined): number => (s && isTerminalTask(s.status) ? 0 : 1);

/**
 * How many of the JOIN's steps have not ended: the count it kept as of the last decision, plus
 * what this decision changed among them. Counted afresh when there is no kept count.
 */
export function waitingOf(ctx: DecideContext, ref: string, joinOn: JoinOn): number {
  const base = ctx.baseStep(ref);
  const kept = base && !isTerminalTask(base.status) ? base.extra?.waiting : undefined;
  if (typeof kept !== 'number') {
    let n = 0;
    for (const on of joinOn.list) n += waits(ctx.step(on));
    return n;
  }
  let n = kept;
  for (const changed of ctx.changes.keys()) {
    if (joinOn.set.has(changed)) n += waits(ctx.step(changed)) - waits(ctx.baseStep(changed));
  }
  return n;
}
