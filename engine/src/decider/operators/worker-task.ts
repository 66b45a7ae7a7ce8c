import type { WorkflowTask } from '@baton/definitions';
import { TaskStatus, isSuccessfulTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { retryDelayMs, retryPolicyOf } from '../retry-policy';

/**
 * Steps executed outside the decider by one attempt at a time: SIMPLE tasks run by workers, and
 * system tasks the engine runs from its own queue (HTTP). Handles first scheduling, retries per
 * the task definition's policy (read at decide time, so a policy change applies to the next
 * attempt of running workflows), and `optional`.
 */
export function evaluateWorkerTask(wt: WorkflowTask, ctx: DecideContext, queue?: string): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (!step) {
    ctx.schedule(wt, { ...(queue ? { taskType: queue } : {}), delayMs: (wt.startDelay ?? 0) * 1000 });
    return BLOCKED;
  }
  return afterAttempt(wt, ctx, queue);
}

/** Shared by every operator whose step has attempts: what follows the latest attempt's status. */
export function afterAttempt(wt: WorkflowTask, ctx: DecideContext, queue?: string): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (!step) return BLOCKED;
  if (step.status === TaskStatus.SCHEDULED || step.status === TaskStatus.IN_PROGRESS) return BLOCKED;
  if (isSuccessfulTask(step.status)) return DONE;

  const def = wt.taskDefinition ?? ctx.taskDef(wt.name);
  const policy = retryPolicyOf(def, wt.retryCount);
  const retryable =
    step.status === TaskStatus.FAILED || (step.status === TaskStatus.TIMED_OUT && step.reason !== TOTAL_TIMEOUT);
  if (retryable && step.retryCount < policy.retryCount && !totalTimeoutExceeded(ctx, wt, step.firstScheduledTime)) {
    ctx.schedule(wt, {
      ...(queue ? { taskType: queue } : {}),
      iteration: step.iteration,
      retryCount: step.retryCount + 1,
      input: step.input,
      delayMs: retryDelayMs(policy, step.retryCount, step.taskId),
      firstScheduledTime: step.firstScheduledTime,
    });
    return BLOCKED;
  }
  if (wt.optional) {
    // Conductor's convention: an optional step that gave up lets the flow go on, visibly.
    step.status = TaskStatus.COMPLETED_WITH_ERRORS;
    ctx.touched();
    return DONE;
  }
  return {
    kind: 'failed',
    ref,
    reason: step.reason ?? `task ${ref} ${step.status.toLowerCase()}`,
    timedOut: step.status === TaskStatus.TIMED_OUT,
  };
}

export const TOTAL_TIMEOUT = 'totalTimeoutSeconds exceeded';

function totalTimeoutExceeded(ctx: DecideContext, wt: WorkflowTask, firstScheduledTime: number): boolean {
  const def = wt.taskDefinition ?? ctx.taskDef(wt.name);
  const total = def?.totalTimeoutSeconds ?? 0;
  return total > 0 && ctx.now - firstScheduledTime >= total * 1000;
}
