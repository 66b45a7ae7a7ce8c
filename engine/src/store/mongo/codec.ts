import type { OutboxFields } from './listeners';
import type { TaskTimeoutPolicy } from '@baton/definitions';
import { type DeciderMeta, type JsonObject, type StepState, type StoredWorkflow, type TaskRecord } from '../../domain/records';
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
  definitionId: string;
  depth: number;
  /** The decider's counters (DeciderMeta). */
  meta: DeciderMeta;
  /**
   * The decider's steps, one field per step (stepKey(ref)) holding its state as JSON, so that a
   * decision `$set`s the steps it changed and nothing else.
   */
  steps: Record<string, string>;
  wakeAt: number;
  lastRetriedTime?: number;
  timeoutAlertedAt?: number;
  revision: number;
}

/**
 * A step's field name inside `steps`. Reference names are free text; BSON field names must not
 * contain '.' nor start with '$', so those (and '%', the escape) are percent-encoded.
 */
export const stepKey = (ref: string): string =>
  ref.replace(/[%.$]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const refOfKey = (key: string): string => key.replace(/%(25|2E|24)/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

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
    taskId: _id,
    ...rest,
    timeoutAt: fromDeadline(d.timeoutAt),
    deadlineAt: fromDeadline(d.deadlineAt),
    inputData: JSON.parse(inputJson) as JsonObject,
    outputData: JSON.parse(outputJson) as JsonObject,
  } as TaskRecord;
}

export function workflowToDoc(w: StoredWorkflow): WorkflowDoc {
  const { workflowId, input, output, variables, state, ...rest } = w;
  const { steps, ...meta } = state;
  const stepDocs: Record<string, string> = {};
  for (const [ref, step] of Object.entries(steps)) stepDocs[stepKey(ref)] = JSON.stringify(step);
  return {
    _id: workflowId,
    ...rest,
    inputJson: JSON.stringify(input),
    outputJson: JSON.stringify(output),
    variablesJson: JSON.stringify(variables),
    meta,
    steps: stepDocs,
  };
}

export function docToWorkflow(d: WorkflowDoc): StoredWorkflow {
  // listenerOutbox*: rows waiting for the listeners' relay (listeners.ts), not part of the record.
  const {
    _id,
    inputJson,
    outputJson,
    variablesJson,
    meta,
    steps: stepDocs,
    listenerOutbox: _o,
    listenerOutboxAt: _a,
    ...rest
  } = d as WorkflowDoc & OutboxFields;
  void [_o, _a];
  const steps: Record<string, StepState> = {};
  for (const [key, json] of Object.entries(stepDocs ?? {})) steps[refOfKey(key)] = JSON.parse(json) as StepState;
  return {
    workflowId: _id,
    ...rest,
    input: JSON.parse(inputJson) as JsonObject,
    output: JSON.parse(outputJson) as JsonObject,
    variables: JSON.parse(variablesJson) as JsonObject,
    state: { ...meta, steps },
  } as StoredWorkflow;
}

/** The $set of a partial workflow update, in document form. */
export function workflowPatch(p: Partial<StoredWorkflow>): Partial<WorkflowDoc> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || k === 'workflowId' || k === 'revision' || k === 'state') continue;
    if (k === 'input' || k === 'output' || k === 'variables') out[`${k}Json`] = JSON.stringify(v);
    else out[k] = v;
  }
  return out as Partial<WorkflowDoc>;
}
