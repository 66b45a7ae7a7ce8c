import type { TaskTimeoutPolicy, WorkflowDef } from '@baton/definitions';
import { taskRecordDefaults, type DeciderState, type JsonObject, type TaskRecord, type WorkflowRecord } from '../../domain/records';
import type { TimeoutAlert, TimeoutKind } from '../../domain/timeouts';

/**
 * Records <-> MongoDB documents. Fields that queries and conditional writes use are top-level
 * BSON fields; user payloads (inputs, outputs, variables, definitions, decider state) are stored
 * as JSON strings, because user keys may contain '.' or start with '$', which BSON field names
 * must not, and because the engine never queries inside them.
 */
export interface TaskDoc {
  _id: string;
  workflowInstanceId: string;
  workflowType: string;
  workflowPriority: number;
  taskType: string;
  workflowTaskType: string;
  taskDefName: string;
  referenceTaskName: string;
  refName: string;
  iteration: number;
  retryCount: number;
  seq: number;
  status: string;
  inputJson: string;
  outputJson: string;
  reasonForIncompletion: string | null;
  queued: boolean;
  scheduledTime: number;
  startTime: number;
  endTime: number;
  updateTime: number;
  visibleAt: number;
  rank: number;
  leaseUntil: number;
  attemptToken: string | null;
  workerId: string | null;
  pollCount: number;
  callbackAfterSeconds: number;
  wakeAt: number;
  applied: boolean;
  logs: Array<{ log: string; createdTime: number }>;
  pollDeadlineAt: number;
  /** NO_DEADLINE when none (not 0), so that a claim can start it with `$min`. */
  timeoutAt: number;
  totalDeadlineAt: number;
  /** NO_DEADLINE when none (not 0), like timeoutAt. */
  deadlineAt: number;
  timeoutPolicy: TaskTimeoutPolicy;
  timedOutBy: TimeoutKind | null;
  timeoutAlerts: TimeoutAlert[];
  exhausted: boolean;
}

/**
 * "No deadline" for the deadlines a claim may start. A claim writes `$min: { timeoutAt: now + T }`:
 * it starts the attempt's clock on the first claim and keeps it on a re-claim, in one update,
 * because MongoDB cannot choose per document in a plain update (and the test server has no
 * pipeline updates). The record keeps Baton's convention of 0 for "none".
 */
export const NO_DEADLINE = Number.MAX_SAFE_INTEGER;
export const toDeadline = (at: number): number => (at > 0 ? at : NO_DEADLINE);
const fromDeadline = (at: number | undefined): number => (at === undefined || at >= NO_DEADLINE ? 0 : at);

export interface WorkflowDoc {
  _id: string;
  workflowName: string;
  workflowVersion: number;
  status: string;
  inputJson: string;
  outputJson: string;
  variablesJson: string;
  correlationId: string | null;
  priority: number;
  createTime: number;
  startTime: number;
  endTime: number;
  updateTime: number;
  reasonForIncompletion: string | null;
  failedReferenceTaskNames: string[];
  parentWorkflowId: string | null;
  parentWorkflowTaskId: string | null;
  definitionJson: string;
  stateJson: string;
  wakeAt: number;
  revision: number;
}

export function taskToDoc(t: TaskRecord): TaskDoc {
  const { taskId, inputData, outputData, ...rest } = t;
  return {
    _id: taskId,
    ...rest,
    timeoutAt: toDeadline(t.timeoutAt),
    deadlineAt: toDeadline(t.deadlineAt),
    inputJson: JSON.stringify(inputData),
    outputJson: JSON.stringify(outputData),
  };
}

export function docToTask(d: TaskDoc): TaskRecord {
  const { _id, inputJson, outputJson, ...rest } = d;
  return {
    ...taskRecordDefaults,
    taskId: _id,
    ...rest,
    timeoutAt: fromDeadline(d.timeoutAt),
    deadlineAt: fromDeadline(d.deadlineAt),
    inputData: JSON.parse(inputJson) as JsonObject,
    outputData: JSON.parse(outputJson) as JsonObject,
  } as TaskRecord;
}

export function workflowToDoc(w: WorkflowRecord): WorkflowDoc {
  const { workflowId, input, output, variables, definition, state, ...rest } = w;
  return {
    _id: workflowId,
    ...rest,
    inputJson: JSON.stringify(input),
    outputJson: JSON.stringify(output),
    variablesJson: JSON.stringify(variables),
    definitionJson: JSON.stringify(definition),
    stateJson: JSON.stringify(state),
  };
}

export function docToWorkflow(d: WorkflowDoc): WorkflowRecord {
  const { _id, inputJson, outputJson, variablesJson, definitionJson, stateJson, ...rest } = d;
  return {
    workflowId: _id,
    ...rest,
    input: JSON.parse(inputJson) as JsonObject,
    output: JSON.parse(outputJson) as JsonObject,
    variables: JSON.parse(variablesJson) as JsonObject,
    definition: JSON.parse(definitionJson) as WorkflowDef,
    state: JSON.parse(stateJson) as DeciderState,
  } as WorkflowRecord;
}

/** The $set of a partial workflow update, in document form. */
export function workflowPatch(p: Partial<WorkflowRecord>): Partial<WorkflowDoc> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || k === 'workflowId' || k === 'revision') continue;
    if (k === 'input' || k === 'output' || k === 'variables' || k === 'definition' || k === 'state') out[`${k}Json`] = JSON.stringify(v);
    else out[k] = v;
  }
  return out as Partial<WorkflowDoc>;
}
