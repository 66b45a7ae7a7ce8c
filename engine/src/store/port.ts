import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { DeciderMeta, JsonObject, StepState, StoredWorkflow, TaskDefChange, TaskPayload, TaskRecord } from '../domain/records';
import type { TaskStatus, WorkflowStatus } from '../domain/status';
import type { TimeoutAlert, TimeoutKind } from '../domain/timeouts';
import type { AuthStore } from './auth-port';
import type { EngineQueueStore } from './engine-task-port';
import type { OperationsStore, SearchStore } from './operations-port';
import type { ListenerDelivery } from '../domain/listeners';
import type { ListenersStore } from './listeners-port';
import type { ReactionsStore } from './reactions-port';

/**
 * The storage port. It speaks the engine's language, and every method is one atomic step (or a
 * read). No driver type crosses it. Each adapter implements it with its own atomicity tools:
 * SQLite with synchronous transactions in one process, MongoDB with single-document atomic writes
 * only (no multi-document transactions), so that several engines can share one database.
 */
export interface Store extends AuthStore, EngineQueueStore, SearchStore, OperationsStore, ReactionsStore, ListenersStore {
  readonly kind: 'sqlite' | 'mongodb';
  init(): Promise<void>;
  close(): Promise<void>;
  /** Database commands sent so far, where the adapter can count them (MongoDB). */
  stats?(): { commands: number };

  // ---- definitions
  getTaskDef(name: string): Promise<TaskDef | null>;
  listTaskDefs(): Promise<TaskDef[]>;
  /** Upserts each definition and records a change entry per definition whose content changed. */
  putTaskDefs(defs: TaskDef[], changedBy: string, now: number): Promise<void>;
  deleteTaskDef(name: string, changedBy: string, now: number): Promise<boolean>;
  taskDefChanges(name: string | null, limit: number): Promise<TaskDefChange[]>;

  /** Inserts a new version; false when (name, version) exists and overwrite is false. */
  putWorkflowDef(def: WorkflowDef, overwrite: boolean): Promise<boolean>;
  /** The given version, or the latest when version is undefined. */
  getWorkflowDef(name: string, version?: number): Promise<WorkflowDef | null>;
  listWorkflowDefs(): Promise<WorkflowDef[]>;
  deleteWorkflowDef(name: string, version: number): Promise<boolean>;
  /**
   * Definitions as runs started with them, by content hash (StoredWorkflow.definitionId): written
   * once, shared by every run of that content, never changed. A repeated put is a no-op.
   */
  putDefinitionSnapshot(id: string, def: WorkflowDef): Promise<void>;
  getDefinitionSnapshot(id: string): Promise<WorkflowDef | null>;

  // ---- executions
  /**
   * Persists a new workflow with its first tasks. Tasks are written before the workflow so that a
   * workflow never references a task that does not exist; a crash in between leaves only
   * unreachable task rows, and the start was not acknowledged.
   * Idempotent: answers false, changing nothing, when a workflow with this id exists, so a start
   * with a deterministic id (failure workflows) can be repeated after a crash. (Its first tasks
   * have deterministic ids too; re-inserting them is a no-op.) `outbox`: the listener deliveries
   * of the start, written with the workflow (docs/alerts.md).
   */
  createWorkflow(workflow: StoredWorkflow, tasks: TaskRecord[], outbox?: ListenerDelivery[]): Promise<boolean>;
  /** The workflow with every step of its state (the decider's view). */
  getWorkflow(workflowId: string): Promise<StoredWorkflow | null>;
  getTasks(workflowId: string): Promise<TaskRecord[]>;
  getTask(taskId: string): Promise<TaskRecord | null>;
  /** The payloads of task records, by taskId (missing ids are left out): what a decision reads lazily. */
  getTaskPayloads(taskIds: readonly string[]): Promise<Map<string, LoadedPayload>>;
  /**
   * Applies one decision if the workflow is still at `expectedRevision`: its new tasks, the
   * workflow's changed fields and steps, the applied marks, the closed tasks. Returns false on a
   * revision conflict (another decider won; the caller re-reads and decides again), and then
   * nothing of the decision can be claimed or swept: on MongoDB its tasks were inserted pending
   * and are published only after the fence held (mongo/commit-decision.ts).
   */
  commitDecision(decision: CommitDecision): Promise<boolean>;
  /** Results (terminal attempts) not yet folded into their workflow, oldest first. */
  unappliedResults(workflowId: string): Promise<TaskRecord[]>;
  findWorkflows(query: WorkflowQuery): Promise<{ totalHits: number; results: WorkflowSummaryRecord[] }>;

  // ---- retention
  /**
   * Removes up to `limit` workflows that ended before `endedBefore` (with their steps and tasks),
   * oldest first; with `archive`, each is first kept whole, compressed, in the archive. Answers
   * how many it removed. Parents and children are removed independently.
   */
  purgeEndedWorkflows(endedBefore: number, limit: number, archive: boolean, now: number): Promise<number>;
  /** An archived run (workflow record and tasks), or null. */
  getArchivedWorkflow(workflowId: string): Promise<ArchivedWorkflow | null>;
  /** Deletes archived runs archived before `before`; answers how many. */
  purgeArchive(before: number, limit: number): Promise<number>;

  // ---- task queue
  /**
   * Claims up to `count` visible tasks of a type, best rank first; one atomic write per task.
   * Starts the attempt's own clock on its first claim: timeoutAt = now + timeoutMs, and
   * deadlineAt = the earlier of that and totalDeadlineAt (a re-claim after a callback keeps both).
   */
  claimTasks(claim: ClaimRequest): Promise<TaskRecord[]>;
  /**
   * Undoes a claim that was never handed to a worker (over a concurrency limit, or the poller
   * went away): back to SCHEDULED with the given clock fields, if the claim is still `attemptToken`.
   */
  releaseClaim(taskId: string, attemptToken: string, restore: ClaimRestore, now: number): Promise<boolean>;
  /** Records a terminal report of the current attempt. */
  completeAttempt(report: AttemptReport): Promise<ReportOutcome>;
  /**
   * Records a terminal report and, in the same atomic step, commits the decision `decide` makes
   * from the recorded attempt (fenced by its expectedRevision, as commitDecision). `decide` is
   * synchronous and may answer null (no decision now): the report alone is recorded. Only stores
   * with multi-write transactions offer it (SQLite); the engine otherwise records, then decides.
   */
  completeAndDecide?(
    report: AttemptReport,
    decide: (task: TaskRecord) => CommitDecision | null,
  ): Promise<{ report: ReportOutcome; committed: boolean }>;
  /** IN_PROGRESS report: extends the lease, or re-queues after callbackAfterSeconds. */
  progressAttempt(report: ProgressReport): Promise<ReportOutcome>;
  queueSizes(taskTypes: string[], now: number): Promise<Record<string, number>>;
  /** Counts IN_PROGRESS tasks of one type (concurrentExecLimit). */
  inProgressCount(taskType: string): Promise<number>;
  /**
   * Rate limit (rateLimitPerFrequency per window): takes up to `want` of the `limit` claims the
   * task type may make in the window starting at `windowStart`, shared by every engine on the
   * store; answers how many it took (0 when the window is used up). Atomic per window.
   */
  takeRateTokens(taskType: string, windowStart: number, limit: number, want: number): Promise<number>;
  /** Gives back tokens taken but not used (fewer tasks claimed than taken), if the window is current. */
  returnRateTokens(taskType: string, windowStart: number, count: number): Promise<void>;

  // ---- sweeper
  /** IN_PROGRESS attempts whose lease lapsed by `now` (responseTimeoutSeconds). */
  expiredLeases(now: number, limit: number): Promise<TaskRecord[]>;
  /** SCHEDULED worker attempts whose pollDeadlineAt passed by `now` (pollTimeoutSeconds). */
  expiredPollDeadlines(now: number, limit: number): Promise<TaskRecord[]>;
  /** Open (SCHEDULED or IN_PROGRESS) attempts whose deadlineAt passed by `now` (timeoutSeconds, totalTimeoutSeconds). */
  expiredDeadlines(now: number, limit: number): Promise<TaskRecord[]>;
  /**
   * Marks an attempt TIMED_OUT if it is still exactly as the sweeper saw it (`expected`: status,
   * claim token, and the deadline that fired); the fenced write of a sweep. A report, a lease
   * extension or a re-queue that lands first wins, and of several sweepers only one acts.
   */
  timeOutAttempt(taskId: string, expected: AttemptFence, reason: string, now: number, timedOutBy?: TimeoutKind): Promise<TaskRecord | null>;
  /**
   * ALERT_ONLY: records the alert on the attempt and moves the deadline that fired to `next`
   * (so it fires once), fenced like timeOutAttempt. The attempt goes on.
   */
  recordTimeoutAlert(
    taskId: string,
    expected: AttemptFence,
    alert: TimeoutAlert,
    next: DeadlineUpdate,
    now: number,
  ): Promise<TaskRecord | null>;
  /** Workflow ids with results older than `before` that no decision has applied (crash recovery). */
  workflowsWithUnappliedResults(before: number, limit: number): Promise<string[]>;
  /** Workflow ids of RUNNING workflows whose timer (`wakeAt`) is due. */
  dueWorkflowTimers(now: number, limit: number): Promise<string[]>;
  /** Engine-held tasks (WAIT...) whose wakeAt is due. */
  dueTaskTimers(now: number, limit: number): Promise<TaskRecord[]>;
  /**
   * Settles what decisions that lost their race or crashed mid-commit left behind, older than
   * `before` (stores whose commit is not one transaction: MongoDB). Answers how many it settled.
   */
  recoverPendingTasks?(before: number, limit: number): Promise<number>;
  /** Poison tasks: attempts after which their step gave up (marked `exhausted`), newest first. */
  failedTasks(taskType: string | null, limit: number): Promise<TaskRecord[]>;

  // ---- engine-held tasks (WAIT, HUMAN, SUB_WORKFLOW, START_WORKFLOW: queued=false, no claim)
  /**
   * Ends an engine-held task if it is still IN_PROGRESS (and at `expected.wakeAt`, when given):
   * the fenced write of a WAIT timer, a child workflow's end, a REST completion. The result is
   * left unapplied for the next decision. Null when the fence did not hold (someone else won).
   */
  completeEngineTask(taskId: string, expected: EngineTaskFence, result: EngineTaskResult, now: number): Promise<TaskRecord | null>;
  /** Moves an open engine-held task's timer (a periodic re-check), fenced like completeEngineTask. */
  rescheduleEngineTask(taskId: string, expected: EngineTaskFence, wakeAt: number, now: number): Promise<boolean>;
}

/** What an engine-held task must still be for a write to apply (status IN_PROGRESS and queued=false always). */
export interface EngineTaskFence {
  wakeAt?: number;
}

export interface EngineTaskResult {
  status: TaskStatus;
  outputData: JsonObject;
  reasonForIncompletion: string | null;
}

/** The state of an attempt a sweeper acts on; the write applies only if all of it still holds. */
export interface AttemptFence {
  status: TaskStatus;
  attemptToken: string | null;
  /** The lease, deadline or poll deadline that fired, when the write is about that one. */
  leaseUntil?: number;
  pollDeadlineAt?: number;
  deadlineAt?: number;
}

export interface DeadlineUpdate {
  pollDeadlineAt?: number;
  deadlineAt?: number;
}

/** The clock fields a released claim returns to (what they were before it). */
export interface ClaimRestore {
  startTime: number;
  timeoutAt: number;
  deadlineAt: number;
}

/** A task's payloads as loaded: `final` when the attempt has ended (they never change again), and their JSON size. */
export interface LoadedPayload extends TaskPayload {
  final: boolean;
  bytes: number;
}

/** A workflow without its decider state, as searches list it. */
export type WorkflowSummaryRecord = Omit<StoredWorkflow, 'state'>;

export interface ArchivedWorkflow {
  workflow: StoredWorkflow;
  tasks: TaskRecord[];
  archivedAt: number;
}

/**
 * One decision's writes (the decider's Decision, fenced by the revision it was decided on). Only
 * what changed is in it, so its cost follows the change, not the workflow.
 */
export interface CommitDecision {
  workflowId: string;
  expectedRevision: number;
  /** Fields of the workflow that change (revision is bumped by the store). */
  workflow: Partial<Omit<StoredWorkflow, 'workflowId' | 'revision' | 'state'>>;
  /** Steps whose state changed, and steps forgotten. */
  steps?: { set: Record<string, StepState>; unset: string[] };
  /** The decider's counters, when they changed. */
  meta?: DeciderMeta;
  newTasks: TaskRecord[];
  /** Terminal results this decision folded in; marked applied after the workflow commit. */
  appliedTaskIds: string[];
  /** Non-terminal tasks to close (workflow ended, branch not taken...), with their new status. */
  closeTasks: Array<{ taskId: string; status: TaskStatus; reason: string | null; output?: JsonObject }>;
  /** New outputs of open tasks the decider holds (a DO_WHILE's running output). */
  taskOutputs?: Array<{ taskId: string; output: JsonObject }>;
  /** Terminal attempts after which their step gave up: marked `exhausted` (poison tasks). */
  exhaustedTaskIds?: string[];
  /** Listener deliveries of the status changes this decision makes: written only if the fence holds (docs/alerts.md). */
  outbox?: ListenerDelivery[];
  now: number;
}

export interface ClaimRequest {
  taskType: string;
  count: number;
  workerId: string;
  now: number;
  leaseMs: number;
  /** The attempt's own limit (timeoutSeconds) in ms, started on its first claim; 0: none. */
  timeoutMs?: number;
  /** Fresh fencing token per claimed task. */
  newToken: () => string;
}

export interface AttemptReport {
  taskId: string;
  /**
   * Task types this report may not touch (the engine's own queues, when the report came over
   * REST): checked in the same atomic step as the claim, so it costs no read of its own.
   */
  refuseTaskTypes?: readonly string[];
  /** Required when the client sent one; Conductor's own clients do not, then the claim's workerId fences. */
  attemptToken: string | null;
  workerId: string | null;
  status: TaskStatus;
  outputData: JsonObject;
  reasonForIncompletion: string | null;
  logs: Array<{ log: string; createdTime: number }>;
  now: number;
}

export interface ProgressReport {
  taskId: string;
  refuseTaskTypes?: readonly string[];
  attemptToken: string | null;
  workerId: string | null;
  outputData: JsonObject;
  logs: Array<{ log: string; createdTime: number }>;
  /** > 0: back to the queue, visible again after this delay. 0: lease extension. */
  callbackAfterMs: number;
  leaseMs: number;
  /** With callbackAfterMs > 0: the re-queued attempt's poll deadline (0: none). */
  pollDeadlineAt?: number;
  now: number;
}

export type ReportOutcome =
  | { kind: 'applied'; task: TaskRecord }
  /** The task is of a type the report may not touch (AttemptReport.refuseTaskTypes): nothing changes. */
  | { kind: 'refused'; task: TaskRecord }
  /** The same terminal report for the same attempt arrived before: nothing changes. */
  | { kind: 'duplicate'; task: TaskRecord }
  /** The attempt is no longer the claim's (lease expired, superseded, already finished). */
  | { kind: 'stale'; task: TaskRecord }
  | { kind: 'not_found' };

export interface WorkflowQuery {
  workflowName?: string;
  status?: WorkflowStatus[];
  correlationId?: string;
  /** Newest first. */
  start: number;
  size: number;
}
