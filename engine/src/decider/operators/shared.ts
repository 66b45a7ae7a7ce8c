import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject, StepState } from '../../domain/records';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { retryPolicyOf } from '../retry-policy';

/**
 * Helpers shared by the operators that run inside the decider (SWITCH, FORK, JOIN, DO_WHILE,
 * INLINE...): their task records are created already finished, or held IN_PROGRESS without a
 * queue, and never polled by a worker.
 */

/** Records a step the decider completed itself. */
export function completeNow(
  wt: WorkflowTask,
  ctx: DecideContext,
  output: JsonObject,
  opts: { input?: JsonObject; taskType?: string; extra?: JsonObject; retryCount?: number } = {},
): StepState {
  return ctx.schedule(wt, { ...opts, status: TaskStatus.COMPLETED, output, queued: false });
}

/**
 * Completes a step at decide time and says what follows: DONE, or the failure when its output
 * was over the payload limit (the step then failed for good: see DecideContext.schedule).
 */
export function completed(
  wt: WorkflowTask,
  ctx: DecideContext,
  output: JsonObject,
  opts: Parameters<typeof completeNow>[3] = {},
): StepResult {
  const step = completeNow(wt, ctx, output, opts);
  return step.status === TaskStatus.COMPLETED ? DONE : giveUp(wt, ctx, step);
}

/** After ctx.finish: DONE when the step ended as asked, else the failure the payload limit caused. */
export function finished(wt: WorkflowTask, ctx: DecideContext, ok: boolean): StepResult {
  if (ok) return settled(wt, ctx.step(wt.taskReferenceName) as StepState);
  const step = ctx.step(wt.taskReferenceName) as StepState;
  return { kind: 'failed', ref: wt.taskReferenceName, reason: step.reason ?? `task ${wt.taskReferenceName} failed` };
}

/** Records a step the decider holds open until something else happens (JOIN, DO_WHILE). */
export function holdOpen(
  wt: WorkflowTask,
  ctx: DecideContext,
  input: JsonObject,
  output: JsonObject = {},
  opts: { taskType?: string; extra?: JsonObject } = {},
): StepState {
  return ctx.schedule(wt, { ...opts, status: TaskStatus.IN_PROGRESS, input, output, queued: false });
}

/**
 * Records a step the decider failed itself and says what follows: the workflow fails, unless
 * the step is optional (then, as for worker tasks, it counts as COMPLETED_WITH_ERRORS).
 */
export function failNow(
  wt: WorkflowTask,
  ctx: DecideContext,
  reason: string,
  opts: { input?: JsonObject; output?: JsonObject; terminal?: boolean; retryCount?: number; taskType?: string } = {},
): StepResult {
  const { terminal, ...record } = opts;
  const status = terminal ? TaskStatus.FAILED_WITH_TERMINAL_ERROR : TaskStatus.FAILED;
  const step = ctx.schedule(wt, { ...record, status, reason, queued: false });
  return giveUp(wt, ctx, step);
}

/** After a step failed for good: DONE when it is optional, else the workflow's failure. */
export function giveUp(wt: WorkflowTask, ctx: DecideContext, step: Readonly<StepState>): StepResult {
  if (wt.optional) {
    const s = ctx.edit(wt.taskReferenceName);
    if (s) s.status = TaskStatus.COMPLETED_WITH_ERRORS;
    return DONE;
  }
  return { kind: 'failed', ref: wt.taskReferenceName, reason: step.reason ?? `task ${wt.taskReferenceName} ${step.status.toLowerCase()}` };
}

/** What an existing step means for the walk: on, wait, or the failure it ended with. */
export function settled(wt: WorkflowTask, step: Readonly<StepState>): StepResult {
  if (isSuccessfulTask(step.status)) return DONE;
  if (!isTerminalTask(step.status)) return BLOCKED;
  return { kind: 'failed', ref: wt.taskReferenceName, reason: step.reason ?? `task ${wt.taskReferenceName} ${step.status.toLowerCase()}` };
}

/**
 * The retry policy of a task the engine runs itself. Conductor gives a system task without a
 * registered task definition no retries (a worker task without one gets 3): the same input would
 * fail the same way. A registered definition or the step's own retryCount still applies.
 */
export function systemRetryCount(wt: WorkflowTask, ctx: DecideContext): number {
  const def = wt.taskDefinition ?? ctx.taskDef(wt.name);
  return retryPolicyOf(def, wt.retryCount ?? (def ? undefined : 0)).retryCount;
}

/** A copy of `wt` carrying the system-task retry default, for operators that delegate to afterAttempt. */
export function withSystemRetryDefault(wt: WorkflowTask, ctx: DecideContext): WorkflowTask {
  return { ...wt, retryCount: systemRetryCount(wt, ctx) };
}

/** Own-property lookup: a case named "constructor" must not find Object.prototype's. */
export function own<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
