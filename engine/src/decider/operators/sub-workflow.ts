import type { WorkflowTask } from '@baton/definitions';
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../domain/records';
import { taskIdFor } from '../../domain/ids';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { failNow, giveUp, isObject, systemRetryCount } from './shared';

/**
 * How long after scheduling the sweeper first checks that a SUB_WORKFLOW/START_WORKFLOW task's
 * workflow was started (normally the engine starts it right after the commit), and then how often
 * it re-checks whether the child ended without telling its parent (a crash in between).
 */
export const CHILD_CHECK_MS = 5000;

/** The child's id: derived from the parent attempt's id, so a redo after a crash cannot start two children. */
export function childWorkflowIdFor(taskId: string): string {
  const h = createHash('sha1').update(`child\u0000${taskId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-b${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * SUB_WORKFLOW: runs another workflow (subWorkflowParam {name, version?, workflowDefinition?})
 * with the resolved inputParameters as its input, and ends with it: COMPLETED with the child's
 * output (plus subWorkflowId), FAILED with its reason when it fails or times out (then retried
 * per the task definition's retryCount, a new child each attempt; none without a definition),
 * CANCELED when it is terminated. The task is engine-held (IN_PROGRESS, queued=false); the
 * engine starts the child after the commit and completes the task when the child ends
 * (runtime/system-tasks/child-workflows.ts); its timer (wakeAt) lets the sweeper redo either
 * after a crash. The task's input is Conductor's: {subWorkflowName, subWorkflowVersion,
 * subWorkflowDefinition?, workflowInput}.
 */
export function evaluateSubWorkflow(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (!step) {
    scheduleChild(wt, ctx, 0, subWorkflowInput(wt, ctx.resolve(wt.inputParameters)));
    return BLOCKED;
  }
  if (!isTerminalTask(step.status)) return BLOCKED;
  if (isSuccessfulTask(step.status)) return DONE;
  const retriesMade = step.retryCount - (step.retryBase ?? 0);
  if (step.status === TaskStatus.FAILED && retriesMade < systemRetryCount(wt, ctx)) {
    scheduleChild(wt, ctx, step.retryCount + 1, ctx.inputOf(ref));
    return BLOCKED;
  }
  ctx.exhausted.push({ taskId: step.taskId, taskType: step.taskType, reason: step.reason });
  return giveUp(wt, ctx, step);
}

/**
 * START_WORKFLOW: starts another workflow (inputParameters.startWorkflow {name, version?, input?,
 * correlationId?}) and completes with {workflowId} once it is started, without waiting for it.
 * Engine-held like SUB_WORKFLOW for the moment between the commit and the start.
 */
export function evaluateStartWorkflow(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) {
    if (!isTerminalTask(step.status)) return BLOCKED;
    return isSuccessfulTask(step.status) ? DONE : giveUp(wt, ctx, step);
  }
  const input = ctx.resolve(wt.inputParameters);
  const start = isObject(input.startWorkflow)
    ? input.startWorkflow
    : wt.subWorkflowParam
      ? { name: wt.subWorkflowParam.name, version: wt.subWorkflowParam.version }
      : null;
  if (!start || typeof start.name !== 'string' || start.name === '') {
    return failNow(wt, ctx, "START_WORKFLOW needs inputParameters.startWorkflow with a workflow 'name'", { input, terminal: true });
  }
  scheduleChild(wt, ctx, 0, { ...input, startWorkflow: start });
  return BLOCKED;
}

function scheduleChild(wt: WorkflowTask, ctx: DecideContext, retryCount: number, input: JsonObject): void {
  // A retry stays in its step's loop iteration; a first attempt belongs to the current one.
  const iteration = retryCount > 0 ? (ctx.step(wt.taskReferenceName)?.iteration ?? ctx.iteration) : ctx.iteration;
  const id = childWorkflowIdFor(taskIdFor(ctx.workflow.workflowId, wt.taskReferenceName, iteration, retryCount, ctx.generation));
  ctx.schedule(wt, {
    iteration,
    retryCount,
    status: TaskStatus.IN_PROGRESS,
    queued: false,
    input,
    output: wt.type === 'START_WORKFLOW' ? { workflowId: id } : { subWorkflowId: id },
    wakeAt: ctx.now + CHILD_CHECK_MS,
  });
}

function subWorkflowInput(wt: WorkflowTask, resolved: JsonObject): JsonObject {
  const p = wt.subWorkflowParam ?? {};
  return {
    subWorkflowName: p.name ?? null,
    subWorkflowVersion: p.version ?? null,
    ...(p.workflowDefinition ? { subWorkflowDefinition: p.workflowDefinition as unknown as JsonObject } : {}),
    workflowInput: resolved,
  };
}
