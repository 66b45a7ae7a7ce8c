import type { WorkflowTask } from '@baton/definitions';
import { isSuccessfulTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { listKey, type StepList } from '../positions';
import type { Container } from '.';
import { completeNow, failNow, settled } from './shared';

/**
 * FORK_JOIN: starts every branch of `forkTasks` at once. The fork itself completes at once
 * (Conductor records it as a COMPLETED task of type FORK) and the flow goes on to the JOIN that
 * must follow it, which decides when the flow goes past it. Each branch then runs on its own: a
 * branch's step that changes walks its own branch on (flow.ts). A branch that fails fails the
 * workflow right away (unless the failed step is optional), without waiting for the JOIN, as in
 * Conductor.
 */
export function evaluateForkJoin(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return isSuccessfulTask(step.status) ? DONE : settled(wt, step);
  const input = ctx.resolve(wt.inputParameters);
  const missingJoin = joinProblem(wt, ctx);
  if (missingJoin) return failNow(wt, ctx, missingJoin, { input, terminal: true, taskType: 'FORK' });
  completeNow(wt, ctx, {}, { input, taskType: 'FORK' });
  const ref = wt.taskReferenceName;
  const branches: StepList[] = (wt.forkTasks ?? []).map((tasks, i) => ({ key: listKey.branch(ref, i), tasks, owner: ref }));
  return startBranches(wt, branches, ctx, forkContainer);
}

/** Walks each branch from its start; the first failure or termination wins, blocked branches just wait. */
export function startBranches(wt: WorkflowTask, branches: readonly StepList[], ctx: DecideContext, container: Container): StepResult {
  for (const branch of branches) {
    const r = container.listEnded(wt, branch, ctx.walk(branch, 0), ctx);
    if (r.kind === 'failed' || r.kind === 'terminate') return r;
  }
  return DONE;
}

/** A branch that ends moves nothing (the JOIN waits on steps by name); one that fails fails the fork's flow. */
export const forkContainer: Container = {
  listEnded(_wt, _list, result) {
    return result.kind === 'failed' || result.kind === 'terminate' ? result : BLOCKED;
  },
};

/** A fork must be followed by the JOIN that waits for it (Conductor refuses to run one without). */
export function joinProblem(wt: WorkflowTask, ctx: DecideContext): string | null {
  return joinAfter(wt, ctx) ? null : `${wt.type} '${wt.taskReferenceName}' is not followed by a JOIN task`;
}

/** The JOIN right after a fork in its list, if that is what follows it. */
export function joinAfter(wt: WorkflowTask, ctx: DecideContext): WorkflowTask | undefined {
  const pos = ctx.position(wt.taskReferenceName);
  const next = pos?.list.tasks[pos.index + 1];
  return next?.type === 'JOIN' ? next : undefined;
}
