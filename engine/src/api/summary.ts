import type { TaskSummary, WorkflowSummary } from '@baton/protocol';
import type { TaskRecord } from '../domain/records';
import type { WorkflowSummaryRecord } from '../store/port';

/** Conductor formats summary times as ISO 8601 in UTC; 0 (not happened) is left out. */
const iso = (ms: number): string | undefined => (ms > 0 ? new Date(ms).toISOString() : undefined);

/** Conductor's WorkflowSummary: what search answers, shaped so that its Java and Python clients deserialise it. */
export function workflowSummary(w: WorkflowSummaryRecord): WorkflowSummary {
  const start = iso(w.startTime) ?? iso(w.createTime) ?? new Date(0).toISOString();
  return {
    workflowId: w.workflowId,
    workflowType: w.workflowName,
    version: w.workflowVersion,
    ...(w.correlationId ? { correlationId: w.correlationId } : {}),
    startTime: start,
    ...(iso(w.updateTime) ? { updateTime: iso(w.updateTime) } : {}),
    ...(iso(w.endTime) ? { endTime: iso(w.endTime) } : {}),
    status: w.status,
    input: JSON.stringify(w.input),
    output: JSON.stringify(w.output),
    ...(w.reasonForIncompletion ? { reasonForIncompletion: w.reasonForIncompletion } : {}),
    executionTime: w.endTime > 0 && w.startTime > 0 ? w.endTime - w.startTime : 0,
    failedReferenceTaskNames: w.failedReferenceTaskNames.join(','),
    priority: w.priority,
    ...(w.parentWorkflowId ? { parentWorkflowId: w.parentWorkflowId } : {}),
    createTime: w.createTime,
  };
}

export function taskSummary(t: TaskRecord): TaskSummary {
  return {
    taskId: t.taskId,
    workflowId: t.workflowInstanceId,
    workflowType: t.workflowType,
    scheduledTime: iso(t.scheduledTime) ?? new Date(0).toISOString(),
    ...(iso(t.startTime) ? { startTime: iso(t.startTime) } : {}),
    ...(iso(t.updateTime) ? { updateTime: iso(t.updateTime) } : {}),
    ...(iso(t.endTime) ? { endTime: iso(t.endTime) } : {}),
    status: t.status,
    ...(t.reasonForIncompletion ? { reasonForIncompletion: t.reasonForIncompletion } : {}),
    executionTime: t.endTime > 0 && t.startTime > 0 ? t.endTime - t.startTime : 0,
    queueWaitTime: t.startTime > 0 ? Math.max(0, t.startTime - t.scheduledTime) : 0,
    taskDefName: t.taskDefName,
    taskType: t.taskType,
    referenceTaskName: t.referenceTaskName,
    retryCount: t.retryCount,
    ...(t.workerId ? { workerId: t.workerId } : {}),
    input: JSON.stringify(t.inputData),
    output: JSON.stringify(t.outputData),
    workflowPriority: t.workflowPriority,
  };
}
