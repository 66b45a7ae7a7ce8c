import type { WorkflowTask } from '@baton/definitions';
import { isSuccessfulTask } from '../../domain/status';
import { DONE, type DecideContext, type StepResult } from '../context';
import { nextInDefinition } from './definition-walk';
import { completeNow, failNow, settled } from './shared';

/**
 * FORK_JOIN: starts every branch of `forkTasks` at once. The fork itself completes at once
 * (Conductor records it as a COMPLETED task of type FORK); its branches are walked on every
 * decision after that, each as its own list, and the JOIN that must follow it decides when the
 * flow goes on. A branch that fails fails the workflow right away (unless the failed step is
 * optional), without waiting for the JOIN, as in Conductor.
 */
export function evaluateForkJoin(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return isSuccessfulTask(step.status) ? walkBranches(wt.forkTasks ?? [], ctx) : settled(wt, step);
  const input = ctx.resolve(wt.inputParameters);
  const missingJoin = joinProblem(wt, ctx);
  if (missingJoin) return failNow(wt, ctx, missingJoin, { input, terminal: true, taskType: 'FORK' });
  completeNow(wt, ctx, {}, { input, taskType: 'FORK' });
  return walkBranches(wt.forkTasks ?? [], ctx);
}

/** Walks each branch; the first failure or termination wins, blocked branches just wait. */
export function walkBranches(branches: readonly (readonly WorkflowTask[])[], ctx: DecideContext): StepResult {
  for (const branch of branches) {
    const r = ctx.walk(branch);
    if (r.kind === 'failed' || r.kind === 'terminate') return r;
  }
  return DONE;
}

/** A fork must be followed by the JOIN that waits for it (Conductor refuses to run one without). */
export function joinProblem(wt: WorkflowTask, ctx: DecideContext): string | null {
  const next = nextInDefinition(ctx.workflow.definition.tasks, wt.taskReferenceName);
  return next?.type === 'JOIN' ? null : `${wt.type} '${wt.taskReferenceName}' is not followed by a JOIN task`;
}
