import type { WorkflowDef } from '@baton/definitions';
import { CHILD_CHECK_MS } from '../../decider/operators/sub-workflow';
import type { JsonObject, StoredWorkflow, TaskRecord } from '../../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalWorkflow } from '../../domain/status';
import { BatonError, ConflictError } from '../../errors';
import type { Engine, StartRequest } from '../engine';

/**
 * The runtime half of SUB_WORKFLOW and START_WORKFLOW (decider/operators/sub-workflow.ts): starts
 * the workflow a task names, tells a parent when its child ended, and terminates the children of
 * a parent that ended first. Every step is idempotent — the child's id is derived from the parent
 * attempt, a start of an existing id is a no-op, the parent task is completed with a write fenced
 * on "still IN_PROGRESS" — so the sweeper can redo any of them after a crash (reconcile, called
 * when the task's timer is due).
 */

export const isChildTask = (t: { workflowTaskType: string }): boolean =>
  t.workflowTaskType === 'SUB_WORKFLOW' || t.workflowTaskType === 'START_WORKFLOW';

const childIdOf = (t: TaskRecord): string | null => {
  const id = t.workflowTaskType === 'START_WORKFLOW' ? t.outputData.workflowId : t.outputData.subWorkflowId;
  return typeof id === 'string' ? id : null;
};

/** Starts the task's workflow (a no-op when it exists); a start that can never succeed fails the task. */
export async function startChild(engine: Engine, parent: TaskRecord): Promise<void> {
  const childId = childIdOf(parent);
  if (!childId) return;
  const wf = await engine.store.getWorkflow(parent.workflowInstanceId);
  if (!wf) return;
  try {
    await engine.startWorkflow(startRequestOf(parent, wf, childId));
  } catch (err) {
    if (!(err instanceof BatonError) || err.retryable) throw err;
    await finishParentTask(
      engine,
      parent,
      TaskStatus.FAILED_WITH_TERMINAL_ERROR,
      parent.outputData,
      `could not start workflow: ${err.message}`,
    );
    return;
  }
  if (parent.workflowTaskType === 'START_WORKFLOW')
    await finishParentTask(engine, parent, TaskStatus.COMPLETED, { workflowId: childId }, null);
}

function startRequestOf(parent: TaskRecord, wf: StoredWorkflow, childId: string): StartRequest {
  const input = parent.inputData;
  if (parent.workflowTaskType === 'START_WORKFLOW') {
    const s = (input.startWorkflow ?? {}) as JsonObject;
    return {
      name: String(s.name),
      ...(typeof s.version === 'number' ? { version: s.version } : {}),
      input: (s.input ?? {}) as JsonObject,
      correlationId: typeof s.correlationId === 'string' ? s.correlationId : wf.correlationId,
      priority: wf.priority,
      workflowId: childId,
      depth: wf.depth + 1,
    };
  }
  return {
    name: String(input.subWorkflowName),
    ...(typeof input.subWorkflowVersion === 'number' ? { version: input.subWorkflowVersion } : {}),
    ...(input.subWorkflowDefinition ? { workflowDef: input.subWorkflowDefinition as unknown as WorkflowDef } : {}),
    input: (input.workflowInput ?? {}) as JsonObject,
    correlationId: wf.correlationId,
    priority: wf.priority,
    parentWorkflowId: wf.workflowId,
    parentWorkflowTaskId: parent.taskId,
    workflowId: childId,
    depth: wf.depth + 1,
  };
}

/** A child ended: its parent's SUB_WORKFLOW task ends with it, and the parent is decided. */
export async function notifyParent(engine: Engine, child: StoredWorkflow): Promise<void> {
  if (!child.parentWorkflowTaskId || !isTerminalWorkflow(child.status)) return;
  const task = await engine.store.getTask(child.parentWorkflowTaskId);
  if (!task || task.workflowTaskType !== 'SUB_WORKFLOW') return;
  const output = { ...child.output, subWorkflowId: child.workflowId };
  const reason = child.reasonForIncompletion ?? `sub-workflow ${child.workflowId} ${child.status.toLowerCase()}`;
  if (child.status === WorkflowStatus.COMPLETED) await finishParentTask(engine, task, TaskStatus.COMPLETED, output, null);
  else if (child.status === WorkflowStatus.TERMINATED) await finishParentTask(engine, task, TaskStatus.CANCELED, output, reason);
  else await finishParentTask(engine, task, TaskStatus.FAILED, output, reason);
}

async function finishParentTask(
  engine: Engine,
  task: TaskRecord,
  status: TaskStatus,
  outputData: JsonObject,
  reason: string | null,
): Promise<void> {
  const done = await engine.store.completeEngineTask(
    task.taskId,
    {},
    { status, outputData, reasonForIncompletion: reason },
    engine.clock.now(),
  );
  if (done) await engine.advance(task.workflowInstanceId, [done]);
}

/**
 * The sweeper's safety net, run when the task's timer is due: start the child if it is missing,
 * pass on its end if it ended, else look again in CHILD_CHECK_MS.
 */
export async function reconcileChild(engine: Engine, task: TaskRecord): Promise<void> {
  const childId = childIdOf(task);
  if (!childId) return;
  const child = await engine.store.getWorkflow(childId);
  if (!child) await startChild(engine, task);
  else if (task.workflowTaskType === 'START_WORKFLOW')
    await finishParentTask(engine, task, TaskStatus.COMPLETED, { workflowId: childId }, null);
  else if (isTerminalWorkflow(child.status)) await notifyParent(engine, child);
  const now = engine.clock.now();
  await engine.store.rescheduleEngineTask(task.taskId, { wakeAt: task.wakeAt }, now + CHILD_CHECK_MS, now);
}

/** A parent's SUB_WORKFLOW task was closed (parent terminated or failed): terminate its running child. */
export async function terminateChild(engine: Engine, subWorkflowId: string, reason: string): Promise<void> {
  const child = await engine.store.getWorkflow(subWorkflowId);
  if (!child || isTerminalWorkflow(child.status)) return;
  try {
    await engine.terminate(subWorkflowId, reason);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err; // it ended meanwhile
  }
}
