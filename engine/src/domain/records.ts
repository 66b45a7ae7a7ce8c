import type { TaskTimeoutPolicy, WorkflowDef } from '@baton/definitions';
import type { TaskStatus, WorkflowStatus } from './status';
import type { TimeoutAlert, TimeoutCause, TimeoutKind } from './timeouts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

/**
 * One attempt of one step of one workflow. Retries, loop iterations and re-runs are new records
 * with new deterministic ids; an attempt's record is never reused for another attempt, which is
 * what fences late reports (docs/architecture.md, invariant 3).
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
  /** The workflow definition's payloadCodec, for workers with a codec (docs/payloads.md); absent: payloads in clear. */
  payloadCodec?: { clearFields: string[] };
}

/**
 * The latest attempt of one step, as the decider needs it: status, attempt numbers, times and the
 * operator's own small state. Inputs and outputs are not here: they live in the attempt's task
 * record (TaskRecord.inputData/outputData), which the decider reads by `taskId` when an expression
 * or an operator needs them (docs/architecture.md, "Bounded decisions"). So a step costs the
 * workflow record a few hundred bytes whatever its payloads weigh.
 */
export interface StepState {
  taskId: string;
  /** The attempt's seq: the order in which attempts were scheduled in the workflow. */
  seq: number;
  status: TaskStatus;
  retryCount: number;
  iteration: number;
  taskType: string;
  /** The attempt's reasonForIncompletion, cut to MAX_STEP_REASON characters (the task record has all of it). */
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
  /** Operator-specific state (loop counters, chosen case, fork progress...): small, never payloads. */
  extra?: JsonObject;
}

/** How much of a step's reason the workflow record keeps (the task record keeps the whole text). */
export const MAX_STEP_REASON = 1000;

/**
 * The decider's view of a workflow: the latest attempt of each step, not the history, plus
 * counters the decider keeps up to date so that no decision has to scan every step. Its size
 * depends on the definition (and the width of dynamic forks), never on how many steps have run.
 * A decision writes only the steps it changed (CommitDecision.steps).
 */
export interface DeciderState {
  seq: number;
  steps: Record<string, StepState>;
  /** Steps whose latest attempt is not terminal. */
  open: number;
  /** Open steps that are not the decider's own waiting steps (JOIN, EXCLUSIVE_JOIN, DO_WHILE). */
  running: number;
  /** The definition's top-level list has been walked to its end (the workflow ends when open is 0). */
  rootDone: boolean;
  /** Work a decision left for the next one when it ran out of budget (decider/limits.ts). */
  resume: string[];
  /** Bumped by each rerun: new attempts of the steps it reset get ids of their own (domain/ids.ts). */
  generation?: number;
}

/** The fields of DeciderState other than the steps, written whole by every decision. */
export type DeciderMeta = Omit<DeciderState, 'steps'>;

export const emptyDeciderState = (): DeciderState => ({ seq: 0, steps: {}, open: 0, running: 0, rootDone: false, resume: [] });

/** A workflow as stored: the definition is referenced by `definitionId`, not embedded. */
export interface StoredWorkflow {
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
  /**
   * Content hash of the definition the run started with (store: definition snapshots). Later edits
   * of the registered definition do not change a running workflow.
   */
  definitionId: string;
  /**
   * How many workflows started this one, transitively: 0 for a run started by a client, parent + 1
   * for a sub-workflow, a START_WORKFLOW target or a failure workflow. Bounded by maxWorkflowDepth.
   */
  depth: number;
  state: DeciderState;
  /**
   * When the sweeper must look at this workflow again (workflow timeout, a timer, work left over
   * from a decision's budget, or, once ended, a failure workflow still to start); 0 when never.
   */
  wakeAt: number;
  /** Conductor's field: when an operator last retried the workflow (its timeout counts from then). */
  lastRetriedTime?: number;
  /** When an ALERT_ONLY workflow timeout was recorded (the workflow went on); 0 or absent: never. */
  timeoutAlertedAt?: number;
  /**
   * Set while the run waits for flow control (a debounce period, a rate window, a concurrency
   * slot: runtime/reactions/flow/): no step runs until it is let in and this is cleared. Absent or
   * null: the run is not held.
   */
  flowWait?: FlowWait | null;
  /** Optimistic concurrency: every committed decision increments it. */
  revision: number;
}

/** Why a run has not started yet (docs/flow-control.md). */
export interface FlowWait {
  /** When it began to wait. */
  since: number;
  /** While debounced: the debounce's key (its due time moves with each start that folds in). */
  debounceKey?: string;
}

/** A workflow with its definition at hand, as the engine and the decider use it. */
export interface WorkflowRecord extends StoredWorkflow {
  definition: WorkflowDef;
}

/** A task record's payloads, which the decider loads lazily by taskId. */
export interface TaskPayload {
  inputData: JsonObject;
  outputData: JsonObject;
}

export interface TaskDefChange {
  name: string;
  changedAt: number;
  changedBy: string;
  before: JsonObject | null;
  after: JsonObject | null;
}
