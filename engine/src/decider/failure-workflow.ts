import { createHash } from 'node:crypto';
import type { WorkflowRecord } from '../domain/records';
import { WorkflowStatus } from '../domain/status';

/** Where Conductor records the failure workflow it started, in the failed workflow's output. */
export const FAILURE_WORKFLOW_OUTPUT = 'conductor.failure_workflow';

/**
 * The id of the failure (compensation) workflow for one failure of a workflow: derived from the
 * failed workflow's id and the revision that records the failure, so every engine that retries
 * the start after a crash uses the same id and the store turns repeats into no-ops, while a
 * workflow that is retried and fails again gets a new compensation run.
 */
export function failureWorkflowId(workflowId: string, revision: number): string {
  const h = createHash('sha1').update(`failure-workflow\u0000${workflowId}\u0000${revision}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-b${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Fields the decision that ends a workflow FAILED or TIMED_OUT adds when its definition names a
 * failureWorkflow: the compensation workflow's id in the output (as Conductor does), and a wake-up
 * now, which is the durable "still to start" mark: the runtime starts it and clears wakeAt; after
 * a crash the sweeper finds the wake-up due and starts it then (docs/policies.md).
 */
export function failureWorkflowFields(
  wf: WorkflowRecord,
  status: string,
  output: Record<string, unknown>,
  now: number,
): Partial<WorkflowRecord> {
  const name = wf.definition.failureWorkflow;
  if (!name || (status !== WorkflowStatus.FAILED && status !== WorkflowStatus.TIMED_OUT)) return {};
  return { output: { ...output, [FAILURE_WORKFLOW_OUTPUT]: failureWorkflowId(wf.workflowId, wf.revision + 1) }, wakeAt: now };
}

/** The failure workflow a terminal workflow still has to start, if any. */
export function pendingFailureWorkflow(wf: WorkflowRecord): { name: string; workflowId: string } | null {
  const name = wf.definition.failureWorkflow;
  const id = wf.output[FAILURE_WORKFLOW_OUTPUT];
  if (!name || typeof id !== 'string' || wf.wakeAt <= 0) return null;
  if (wf.status !== WorkflowStatus.FAILED && wf.status !== WorkflowStatus.TIMED_OUT) return null;
  return { name, workflowId: id };
}
