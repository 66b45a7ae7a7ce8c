import type { TaskTimeoutPolicy, WorkflowDef } from '@baton/definitions';
import type { TaskStatus, WorkflowStatus } from './status';
import type { TimeoutAlert, TimeoutCause, TimeoutKind } from './timeouts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

/**
 * One attempt of one step of one workflow. Retries, loop iterations and re-runs are new records
 * with new deterministic ids; an attempt's record is never reused for another attempt, which is
 * what fences late reports (see DESIGN.md invariant 3).
 */
export interface TaskRecord {
  taskId: string;
  workflowInstanceId: string;
  workflowType: string;
  workflowPriority: number;
  /** Queue name: the task definition name for SIMPLE tasks, the system type otherwise. */
  taskType: string;
  /** The workflow task's type in the definition (SIMPLE, HTTP, WAIT...). */
  workflowTaskType: string;
  taskDefName: string;
  /** Reference name as shown to users: `ref` or `ref__N` inside a DO_WHILE iteration. */
  referenceTaskName: string;
  /** Reference name in the definition (no iteration suffix). */
  refName: string;
  iteration: number;
  retryCount: number;
  seq: number;
  status: TaskStatus;
  inputData: JsonObject;
  outputData: JsonObject;
  reasonForIncompletion: string | null;
  /** Worker-side executable (SIMPLE, HTTP...) vs. engine-held (WAIT, HUMAN) vs. done at decide time. */
  queued: boolean;
  scheduledTime: number;
  startTime: number;
  endTime: number;
  updateTime: number;
  /** Earliest time a worker may claim it (retry delay, callbackAfterSeconds, startDelay). */
  visibleAt: number;
  /** Claim order: visibleAt minus a priority bonus, so higher priority goes first without starving. */
  rank: number;
  /** When the current claim lapses; 0 when unclaimed. */
  leaseUntil: number;
  /** Fencing token of the current claim; null when unclaimed. */
  attemptToken: string | null;
  workerId: string | null;
  pollCount: number;
  callbackAfterSeconds: number;
  /** Engine-held timer (WAIT until, HUMAN/WAIT timeouts); 0 when none. */
  wakeAt: number;
  /** False while a terminal result has not yet been folded into its workflow by a decision. */
  applied: boolean;
  logs: Array<{ log: string; createdTime: number }>;
  /** While SCHEDULED: the attempt times out unless a worker claims it by then (pollTimeoutSeconds); 0: none. */
  pollDeadlineAt: number;
  /** First claim + timeoutSeconds: the attempt's own limit, whatever its lease; 0 until claimed, or none. */
  timeoutAt: number;
  /** First attempt's schedule + totalTimeoutSeconds: the step's limit across attempts; 0: none. */
  totalDeadlineAt: number;
  /** The earlier of timeoutAt and totalDeadlineAt (0: neither): the field the sweeper's index serves. */
  deadlineAt: number;
  /** The task definition's timeoutPolicy when the attempt was scheduled. */
  timeoutPolicy: TaskTimeoutPolicy;
  /** Which limit ended a TIMED_OUT attempt (null: not timed out). */
  timedOutBy: TimeoutKind | null;
  /** ALERT_ONLY timeouts the attempt ran past (recorded, not acted on). */
  timeoutAlerts: TimeoutAlert[];
  /** The step gave up after this attempt (retries exhausted, terminal error, total timeout): a poison task. */
  exhausted: boolean;
}

/** Values of the fields a stored task may lack (written before they existed). */
export const taskRecordDefaults: Pick<
  TaskRecord,
  'pollDeadlineAt' | 'timeoutAt' | 'totalDeadlineAt' | 'deadlineAt' | 'timeoutPolicy' | 'timedOutBy' | 'timeoutAlerts' | 'exhausted'
> = {
  pollDeadlineAt: 0,
  timeoutAt: 0,
  totalDeadlineAt: 0,
  deadlineAt: 0,
  timeoutPolicy: 'TIME_OUT_WF',
  timedOutBy: null,
  timeoutAlerts: [],
  exhausted: false,
};

/** Summary of the latest attempt of one step, kept inside the workflow for the decider. */
export interface StepState {
  taskId: string;
  status: TaskStatus;
  retryCount: number;
  iteration: number;
  taskType: string;
  input: JsonObject;
  output: JsonObject;
  reason: string | null;
  scheduledTime: number;
  startTime: number;
  endTime: number;
  /** When the step first started across all attempts (for totalTimeoutSeconds). */
  firstScheduledTime: number;
  /** Set on a TIMED_OUT attempt: which limit ended it and the policy it fell under. */
  timeout?: TimeoutCause;
  /** retryCount of the first attempt after an operator's retry: automatic retries count from there. */
  retryBase?: number;
  /** Operator-specific state (loop counters, chosen case, forked branches...). */
  extra?: JsonObject;
}

/**
 * The decider's bounded view of a workflow: the latest attempt of each step, not the history.
 * Its size depends on the definition, never on how many steps have run (invariant 6).
 */
export interface DeciderState {
  seq: number;
  steps: Record<string, StepState>;
}

export interface WorkflowRecord {
  workflowId: string;
  workflowName: string;
  workflowVersion: number;
  status: WorkflowStatus;
  input: JsonObject;
  output: JsonObject;
  variables: JsonObject;
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
  /** Snapshot of the definition the run started with: later edits do not change a running workflow. */
  definition: WorkflowDef;
  state: DeciderState;
  /**
   * When the sweeper must look at this workflow again (workflow timeout, a timer, or, once ended,
   * a failure workflow still to start); 0 when never.
   */
  wakeAt: number;
  /** Conductor's field: when an operator last retried the workflow (its timeout counts from then). */
  lastRetriedTime?: number;
  /** When an ALERT_ONLY workflow timeout was recorded (the workflow went on); 0 or absent: never. */
  timeoutAlertedAt?: number;
  /** Optimistic concurrency: every committed decision increments it. */
  revision: number;
}

export interface TaskDefChange {
  name: string;
  changedAt: number;
  changedBy: string;
  before: JsonObject | null;
  after: JsonObject | null;
}
