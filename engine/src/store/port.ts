import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { JsonObject, TaskDefChange, TaskRecord, WorkflowRecord } from '../domain/records';
import type { TaskStatus, WorkflowStatus } from '../domain/status';

/**
 * The storage port. It speaks the engine's language, and every method is one atomic step (or a
 * read). No driver type crosses it. Each adapter implements it with its own atomicity tools:
 * SQLite with synchronous transactions in one process, MongoDB with single-document atomic writes
 * only (no multi-document transactions), so that several engines can share one database.
 */
export interface Store {
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

  // ---- executions
  /**
   * Persists a new workflow with its first tasks. Tasks are written before the workflow so that a
   * workflow never references a task that does not exist; a crash in between leaves only
   * unreachable task rows, and the start was not acknowledged.
   */
  createWorkflow(workflow: WorkflowRecord, tasks: TaskRecord[]): Promise<void>;
  getWorkflow(workflowId: string): Promise<WorkflowRecord | null>;
  getTasks(workflowId: string): Promise<TaskRecord[]>;
  getTask(taskId: string): Promise<TaskRecord | null>;
  /**
   * Applies one decision if the workflow is still at `expectedRevision`. New tasks are inserted
   * first (idempotently: deterministic ids), then the workflow is updated conditionally, then the
   * applied results are marked and cancelled tasks closed. Returns false on a revision conflict
   * (another decider won; the caller re-reads and decides again).
   */
  commitDecision(decision: CommitDecision): Promise<boolean>;
  /** Results (terminal attempts) not yet folded into their workflow, oldest first. */
  unappliedResults(workflowId: string): Promise<TaskRecord[]>;
  findWorkflows(query: WorkflowQuery): Promise<{ totalHits: number; results: WorkflowRecord[] }>;

  // ---- task queue
  /** Claims up to `count` visible tasks of a type, best rank first; one atomic write per task. */
  claimTasks(claim: ClaimRequest): Promise<TaskRecord[]>;
  /** Records a terminal report of the current attempt. */
  completeAttempt(report: AttemptReport): Promise<ReportOutcome>;
  /** IN_PROGRESS report: extends the lease, or re-queues after callbackAfterSeconds. */
  progressAttempt(report: ProgressReport): Promise<ReportOutcome>;
  queueSizes(taskTypes: string[], now: number): Promise<Record<string, number>>;
  /** Counts IN_PROGRESS tasks of one type (concurrentExecLimit). */
  inProgressCount(taskType: string): Promise<number>;

  // ---- sweeper
  /** IN_PROGRESS attempts whose lease lapsed before `now`. */
  expiredLeases(now: number, limit: number): Promise<TaskRecord[]>;
  /** Marks an attempt TIMED_OUT if its claim is still the given one; the fenced write of a sweep. */
  timeOutAttempt(taskId: string, expected: { status: TaskStatus; attemptToken: string | null }, reason: string, now: number): Promise<TaskRecord | null>;
  /** Workflow ids with results older than `before` that no decision has applied (crash recovery). */
  workflowsWithUnappliedResults(before: number, limit: number): Promise<string[]>;
  /** Workflow ids of RUNNING workflows whose timer (`wakeAt`) is due. */
  dueWorkflowTimers(now: number, limit: number): Promise<string[]>;
  /** Engine-held tasks (WAIT...) whose wakeAt is due. */
  dueTaskTimers(now: number, limit: number): Promise<TaskRecord[]>;
  /** Terminal results visible to an operator: failed attempts by type (poison tasks). */
  failedTasks(taskType: string | null, limit: number): Promise<TaskRecord[]>;
}

export interface CommitDecision {
  workflowId: string;
  expectedRevision: number;
  /** Fields of the workflow that change (revision is bumped by the store). */
  workflow: Partial<Omit<WorkflowRecord, 'workflowId' | 'revision'>>;
  newTasks: TaskRecord[];
  /** Terminal results this decision folded in; marked applied after the workflow commit. */
  appliedTaskIds: string[];
  /** Non-terminal tasks to close (workflow ended, branch not taken...), with their new status. */
  closeTasks: Array<{ taskId: string; status: TaskStatus; reason: string | null; output?: JsonObject }>;
  now: number;
}

export interface ClaimRequest {
  taskType: string;
  count: number;
  workerId: string;
  now: number;
  leaseMs: number;
  /** Fresh fencing token per claimed task. */
  newToken: () => string;
}

export interface AttemptReport {
  taskId: string;
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
  attemptToken: string | null;
  workerId: string | null;
  outputData: JsonObject;
  logs: Array<{ log: string; createdTime: number }>;
  /** > 0: back to the queue, visible again after this delay. 0: lease extension. */
  callbackAfterMs: number;
  leaseMs: number;
  now: number;
}

export type ReportOutcome =
  | { kind: 'applied'; task: TaskRecord }
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
