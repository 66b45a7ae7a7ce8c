import type { WorkflowTask } from '@baton/definitions';
import type { StepState } from '../../domain/records';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, type DecideContext, type StepResult } from '../context';
import { finished, holdOpen, settled } from './shared';

/**
 * EXCLUSIVE_JOIN, the JOIN after a SWITCH or DECISION: only one of the listed steps ran. It
 * takes the first step of `joinOn` that was scheduled (in list order), else the first of
 * `defaultExclusiveJoinTask`, waits for it to end, and completes with that step's output (or
 * fails with its reason). Conductor waits forever when none of them ran; Baton fails the step
 * instead, since everything before it in the walk is done and none of them can appear later.
 */
export function evaluateExclusiveJoin(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const input = {
    joinOn: wt.joinOn ?? [],
    ...(wt.defaultExclusiveJoinTask ? { defaultExclusiveJoinTask: wt.defaultExclusiveJoinTask } : {}),
  };
  const step = ctx.step(ref) ?? holdOpen(wt, ctx, input);
  if (isTerminalTask(step.status)) return settled(wt, step);

  const pick = (refs: readonly string[]): [string, Readonly<StepState>] | undefined => {
    for (const on of refs) {
      const s = ctx.step(on);
      if (s && s.status !== TaskStatus.SKIPPED) return [on, s];
    }
    return undefined;
  };
  const chosen = pick(wt.joinOn ?? []) ?? pick(wt.defaultExclusiveJoinTask ?? []);
  if (!chosen) {
    const reason = `EXCLUSIVE_JOIN '${ref}': none of joinOn [${(wt.joinOn ?? []).join(', ')}] or defaultExclusiveJoinTask [${(wt.defaultExclusiveJoinTask ?? []).join(', ')}] ran`;
    ctx.finish(ref, TaskStatus.FAILED, {}, reason);
    return { kind: 'failed', ref, reason };
  }
  const [on, s] = chosen;
  if (!isTerminalTask(s.status)) return BLOCKED;
  if (!isSuccessfulTask(s.status)) {
    const reason = s.reason ?? `${on} ${s.status.toLowerCase()}`;
    ctx.finish(ref, TaskStatus.FAILED, {}, reason);
    return { kind: 'failed', ref, reason };
  }
  const output = ctx.outputOf(on);
  if (ctx.incomplete) return BLOCKED;
  return finished(wt, ctx, ctx.finish(ref, TaskStatus.COMPLETED, output));
}
