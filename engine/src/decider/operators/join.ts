import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject, StepState } from '../../domain/records';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { holdOpen, settled } from './shared';

/**
 * JOIN: waits until every step named in its input's `joinOn` has ended successfully, then
 * completes with an output mapping each of them to its output (Conductor leaves out empty
 * outputs). Its input is `{ joinOn: wt.joinOn }`, except after a FORK_JOIN_DYNAMIC, which
 * creates the JOIN itself with the references of the steps it forked.
 * A joined step that failed (and is not optional) has already failed the workflow by the time
 * the JOIN looks; should it find one anyway, the JOIN fails with that step's reason. A joined
 * optional step that gave up makes the JOIN COMPLETED_WITH_ERRORS. A joined step that was never
 * scheduled, while nothing else runs that could schedule it, fails the JOIN instead of leaving
 * the workflow waiting forever.
 */
/** Steps the decider itself holds open: they start nothing new until what they wait for ends. */
const waiting: ReadonlySet<string> = new Set(['JOIN', 'EXCLUSIVE_JOIN', 'DO_WHILE']);

/** True while some step runs (a worker task, a timer...) whose end could still schedule more steps. */
const anyRunning = (ctx: DecideContext): boolean =>
  Object.values(ctx.state.steps).some((s) => !isTerminalTask(s.status) && !waiting.has(s.taskType));

export function evaluateJoin(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref) ?? holdOpen(wt, ctx, { joinOn: wt.joinOn ?? [] });
  if (isTerminalTask(step.status)) return settled(wt, step);

  const joinOn = Array.isArray(step.input.joinOn) ? step.input.joinOn.map(String) : [];
  const joined: Array<[string, StepState]> = [];
  for (const on of joinOn) {
    const s = ctx.step(on);
    if (!s && !anyRunning(ctx)) {
      // Nothing runs that could still start it (a SWITCH case not taken?): Conductor would wait forever.
      const reason = `JOIN '${ref}' waits for '${on}', which was never scheduled and no longer can be`;
      ctx.finish(ref, TaskStatus.FAILED, {}, reason);
      return { kind: 'failed', ref, reason };
    }
    if (!s || !isTerminalTask(s.status)) return BLOCKED;
    joined.push([on, s]);
  }
  const failed = joined.filter(([, s]) => !isSuccessfulTask(s.status));
  if (failed.length > 0) {
    const reason = failed.map(([on, s]) => s.reason ?? `${on} ${s.status.toLowerCase()}`).join(' ');
    ctx.finish(ref, TaskStatus.FAILED, {}, reason);
    return { kind: 'failed', ref, reason };
  }
  const output: JsonObject = {};
  for (const [on, s] of joined) if (Object.keys(s.output).length > 0) output[on] = s.output;
  const withErrors = joined.some(([, s]) => s.status === TaskStatus.COMPLETED_WITH_ERRORS);
  ctx.finish(ref, withErrors ? TaskStatus.COMPLETED_WITH_ERRORS : TaskStatus.COMPLETED, output);
  return DONE;
}
