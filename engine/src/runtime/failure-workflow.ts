import type { JsonObject, WorkflowRecord } from '../domain/records';
import { BatonError } from '../errors';
import { pendingFailureWorkflow } from '../decider/failure-workflow';
import type { Engine, StartRequest } from './engine';

/**
 * Starts the failure (compensation) workflow a FAILED or TIMED_OUT workflow still owes, then
 * clears the mark (wakeAt) with a revision-checked commit. Exactly once across crashes and
 * engines: the decision that ended the workflow recorded the compensation's deterministic id
 * (output['conductor.failure_workflow']) together with the mark, the start is idempotent on that
 * id (the store answers "exists" to a repeat), and a crash before the mark is cleared only makes
 * the sweeper repeat the start, which changes nothing.
 * A start that can never succeed (no such definition, input rejected) is logged and given up;
 * a transient failure leaves the mark for the next sweep. Returns whether the mark was cleared.
 */
export async function launchFailureWorkflow(engine: Engine, wf: WorkflowRecord): Promise<boolean> {
  const pending = pendingFailureWorkflow(wf);
  if (!pending) return true;
  try {
    await engine.startWorkflow(failureWorkflowRequest(wf, pending.name, pending.workflowId));
    engine.log.info(
      { workflowId: wf.workflowId, failureWorkflowId: pending.workflowId, failureWorkflow: pending.name },
      'failure workflow started',
    );
  } catch (err) {
    if (!(err instanceof BatonError) || err.retryable) throw err;
    engine.log.error(
      { err, workflowId: wf.workflowId, failureWorkflow: pending.name },
      'failure workflow cannot be started; giving up on it',
    );
  }
  const { steps: _steps, ...meta } = wf.state;
  void _steps;
  return engine.commitOutside(wf, {
    workflowId: wf.workflowId,
    workflow: { wakeAt: 0 },
    steps: { set: {}, unset: [] },
    meta,
    newTasks: [],
    appliedTaskIds: [],
    closeTasks: [],
    taskOutputs: [],
    exhaustedTaskIds: [],
    now: engine.clock.now(),
  });
}

/** Conductor's failure workflow input: workflowId, reason, failureStatus, failureTaskId, failedWorkflow. */
export function failureWorkflowRequest(wf: WorkflowRecord, name: string, workflowId: string): StartRequest {
  const failedRef = wf.failedReferenceTaskNames[0];
  const failedStep = failedRef === undefined ? undefined : wf.state.steps[failedRef];
  const failedWorkflow: JsonObject = {
    workflowId: wf.workflowId,
    workflowName: wf.workflowName,
    workflowVersion: wf.workflowVersion,
    status: wf.status,
    correlationId: wf.correlationId,
    priority: wf.priority,
    input: wf.input,
    output: wf.output,
    reasonForIncompletion: wf.reasonForIncompletion,
    failedReferenceTaskNames: wf.failedReferenceTaskNames,
    startTime: wf.startTime,
    endTime: wf.endTime,
  };
  return {
    name,
    workflowId,
    input: {
      workflowId: wf.workflowId,
      reason: wf.reasonForIncompletion,
      failureStatus: wf.status,
      failureTaskId: failedStep?.taskId ?? null,
      failedWorkflow,
    },
    correlationId: wf.correlationId,
    priority: wf.priority,
    depth: wf.depth + 1,
  };
}
