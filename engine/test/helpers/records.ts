import { emptyDeciderState, taskRecordDefaults, type StoredWorkflow, type TaskRecord } from '../../src/domain/records';

/** Hand-built records for store tests (the decider builds real ones). */
export function taskRecord(over: Partial<TaskRecord> & { taskId: string; workflowInstanceId: string }): TaskRecord {
  const now = over.scheduledTime ?? 1000;
  return {
    ...taskRecordDefaults,
    workflowType: 'wf',
    workflowPriority: 0,
    taskType: 'work',
    workflowTaskType: 'SIMPLE',
    taskDefName: 'work',
    referenceTaskName: 'step',
    refName: 'step',
    iteration: 0,
    retryCount: 0,
    seq: 1,
    status: 'SCHEDULED',
    inputData: {},
    outputData: {},
    reasonForIncompletion: null,
    queued: true,
    scheduledTime: now,
    startTime: 0,
    endTime: 0,
    updateTime: now,
    visibleAt: now,
    rank: now,
    leaseUntil: 0,
    attemptToken: null,
    workerId: null,
    pollCount: 0,
    callbackAfterSeconds: 0,
    wakeAt: 0,
    applied: true,
    logs: [],
    ...over,
  };
}

export function workflowRecord(over: Partial<StoredWorkflow> & { workflowId: string }): StoredWorkflow {
  return {
    workflowName: 'wf',
    workflowVersion: 1,
    status: 'RUNNING',
    input: {},
    output: {},
    variables: {},
    correlationId: null,
    priority: 0,
    createTime: 1000,
    startTime: 1000,
    endTime: 0,
    updateTime: 1000,
    reasonForIncompletion: null,
    failedReferenceTaskNames: [],
    parentWorkflowId: null,
    parentWorkflowTaskId: null,
    definitionId: 'test-definition',
    depth: 0,
    state: { ...emptyDeciderState(), seq: 1 },
    wakeAt: 0,
    revision: 0,
    ...over,
  };
}
