import type { TaskDef, WorkflowTask } from '@baton/definitions';
import type { StepState } from '../../domain/records';
import { TaskStatus, isSuccessfulTask } from '../../domain/status';
import { TimeoutKind } from '../../domain/timeouts';
import { BLOCKED, DONE, type AttemptLimits, type DecideContext, type StepResult } from '../context';
import { retryDelayMs, retryPolicyOf } from '../retry-policy';

/**
 * Steps executed outside the decider by one attempt at a time: SIMPLE tasks run by workers, and
 * system tasks the engine runs from its own queue (HTTP). Handles first scheduling, retries per
 * the task definition's policy (read at decide time, so a policy change applies to the next
 * attempt of running workflows), timeouts per timeoutPolicy, and `optional`.
 */
export function evaluateWorkerTask(wt: WorkflowTask, ctx: DecideContext, queue?: string): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (!step) {
    ctx.schedule(wt, {
      ...(queue ? { taskType: queue } : {}),
      delayMs: (wt.startDelay ?? 0) * 1000,
      limits: limitsOf(wt.taskDefinition ?? ctx.taskDef(wt.name)),
    });
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
  const verdict = verdictOf(step);
  // Retries count from the last operator's retry (retryBase), so a retried workflow gets a fresh budget.
  const retriesMade = step.retryCount - (step.retryBase ?? 0);
  if (verdict === 'retry' && retriesMade < policy.retryCount && !totalTimeoutExceeded(ctx, def, step.firstScheduledTime)) {
    ctx.schedule(wt, {
      ...(queue ? { taskType: queue } : {}),
      iteration: step.iteration,
      retryCount: step.retryCount + 1,
      input: ctx.inputOf(ref),
      delayMs: retryDelayMs(policy, retriesMade, step.taskId),
      firstScheduledTime: step.firstScheduledTime,
      limits: limitsOf(def),
    });
    return BLOCKED;
  }
  ctx.exhausted.push({ taskId: step.taskId, taskType: step.taskType, reason: step.reason });
  if (wt.optional) {
    // Conductor's convention: an optional step that gave up lets the flow go on, visibly. Baton
    // also lets it go on after a TIME_OUT_WF timeout: `optional` on the step is the more specific
    // choice of the workflow's author (docs/policies.md).
    const s = ctx.edit(ref);
    if (s) s.status = TaskStatus.COMPLETED_WITH_ERRORS;
    return DONE;
  }
  return {
    kind: 'failed',
    ref,
    reason: step.reason ?? `task ${ref} ${step.status.toLowerCase()}`,
    // As in Conductor, a step that gives up on a timeout ends the workflow TIMED_OUT, not FAILED.
    timedOut: step.status === TaskStatus.TIMED_OUT,
  };
}

/**
 * What a failed attempt calls for. FAILED is retried; FAILED_WITH_TERMINAL_ERROR never is. A
 * TIMED_OUT attempt depends on the limit that ended it: a lapsed lease (responseTimeoutSeconds)
 * is always retried, as in Conductor, since it says a worker died, not that the work is too
 * slow; pollTimeoutSeconds and timeoutSeconds follow the timeoutPolicy the attempt ran under
 * (RETRY retries, TIME_OUT_WF gives up at once); totalTimeoutSeconds leaves nothing to retry in.
 */
function verdictOf(step: StepState): 'retry' | 'give_up' {
  if (step.status === TaskStatus.FAILED) return 'retry';
  if (step.status !== TaskStatus.TIMED_OUT) return 'give_up';
  const cause = step.timeout;
  if (!cause || cause.by === TimeoutKind.RESPONSE) return 'retry';
  if (cause.by === TimeoutKind.TOTAL) return 'give_up';
  return cause.policy === 'TIME_OUT_WF' ? 'give_up' : 'retry';
}

/** The limits whose clocks start when an attempt is scheduled; the claim starts timeoutSeconds. */
export function limitsOf(def: TaskDef | undefined): AttemptLimits {
  return {
    pollTimeoutMs: (def?.pollTimeoutSeconds ?? 0) * 1000,
    totalTimeoutMs: (def?.totalTimeoutSeconds ?? 0) * 1000,
    timeoutPolicy: def?.timeoutPolicy ?? 'TIME_OUT_WF',
  };
}

function totalTimeoutExceeded(ctx: DecideContext, def: TaskDef | undefined, firstScheduledTime: number): boolean {
  const total = def?.totalTimeoutSeconds ?? 0;
  return total > 0 && ctx.now - firstScheduledTime >= total * 1000;
}
