import type { WorkflowDef } from '@baton/definitions';
import type { TaskRecord } from '../domain/records';
import type { WorkflowSummaryRecord } from '../store/port';

/** Records as Conductor's clients expect them (Task and Workflow models), plus Baton's fields. */
export function taskJson(t: TaskRecord): Record<string, unknown> {
  return {
    taskType: t.taskType,
    status: t.status,
    inputData: t.inputData,
    referenceTaskName: t.referenceTaskName,
    retryCount: t.retryCount,
    seq: t.seq,
    pollCount: t.pollCount,
    taskDefName: t.taskDefName,
    scheduledTime: t.scheduledTime,
    startTime: t.startTime,
    endTime: t.endTime,
    updateTime: t.updateTime,
    startDelayInSeconds: 0,
    retried: false,
    executed: t.status !== 'SCHEDULED',
    callbackFromWorker: true,
    responseTimeoutSeconds: 0,
    workflowInstanceId: t.workflowInstanceId,
    workflowType: t.workflowType,
    taskId: t.taskId,
    reasonForIncompletion: t.reasonForIncompletion ?? undefined,
    callbackAfterSeconds: t.callbackAfterSeconds,
    workerId: t.workerId ?? undefined,
    outputData: t.outputData,
    workflowTask: { name: t.taskDefName, taskReferenceName: t.refName, type: t.workflowTaskType },
    workflowPriority: t.workflowPriority,
    iteration: t.iteration,
    loopOverTask: t.iteration > 0,
    // Baton: the claim's fencing token and lease; echo attemptToken in reports.
    attemptToken: t.attemptToken ?? undefined,
    leaseUntil: t.leaseUntil || undefined,
    visibleAt: t.visibleAt,
    // Baton: the attempt's deadlines (docs/policies.md) and what its time limits did.
    pollDeadlineAt: t.pollDeadlineAt || undefined,
    timeoutAt: t.timeoutAt || undefined,
    totalDeadlineAt: t.totalDeadlineAt || undefined,
    timeoutPolicy: t.timeoutPolicy,
    timedOutBy: t.timedOutBy ?? undefined,
    timeoutAlerts: t.timeoutAlerts.length ? t.timeoutAlerts : undefined,
    exhausted: t.exhausted || undefined,
    // Baton: the workflow asks workers with a codec to encode outputs but these fields (docs/payloads.md).
    payloadCodec: t.payloadCodec,
  };
}

export function pollTaskJson(t: TaskRecord, responseTimeoutSeconds: number): Record<string, unknown> {
  return { ...taskJson(t), responseTimeoutSeconds };
}

export function workflowJson(wf: WorkflowSummaryRecord & { definition?: WorkflowDef }, tasks?: TaskRecord[]): Record<string, unknown> {
  return {
    workflowId: wf.workflowId,
    workflowName: wf.workflowName,
    workflowVersion: wf.workflowVersion,
    status: wf.status,
    input: wf.input,
    output: wf.output,
    variables: wf.variables,
    correlationId: wf.correlationId ?? undefined,
    priority: wf.priority,
    createTime: wf.createTime,
    startTime: wf.startTime,
    endTime: wf.endTime,
    updateTime: wf.updateTime,
    reasonForIncompletion: wf.reasonForIncompletion ?? undefined,
    failedReferenceTaskNames: wf.failedReferenceTaskNames,
    parentWorkflowId: wf.parentWorkflowId ?? undefined,
    parentWorkflowTaskId: wf.parentWorkflowTaskId ?? undefined,
    lastRetriedTime: wf.lastRetriedTime || undefined,
    timeoutAlertedAt: wf.timeoutAlertedAt || undefined,
    // Baton: held by flow control (GET /api/workflow/{id}/flow says where: docs/flow-control.md).
    flowWait: wf.flowWait ?? undefined,
    ...(wf.definition ? { workflowDefinition: wf.definition } : {}),
    ...(tasks ? { tasks: tasks.map(taskJson) } : {}),
  };
}
