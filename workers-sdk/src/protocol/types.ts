// Wire types of the Conductor-compatible REST protocol, as the SDK sees them. They are declared
// here rather than imported from other workspaces because the SDK ships on its own and must never
// depend on the engine.

export const TaskStatus = {
  SCHEDULED: 'SCHEDULED',
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  COMPLETED_WITH_ERRORS: 'COMPLETED_WITH_ERRORS',
  FAILED: 'FAILED',
  FAILED_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
  TIMED_OUT: 'TIMED_OUT',
  CANCELED: 'CANCELED',
  SKIPPED: 'SKIPPED',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** The statuses a worker may report for a task it holds. */
export const TaskResultStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  FAILED_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
} as const;
export type TaskResultStatus = (typeof TaskResultStatus)[keyof typeof TaskResultStatus];

export const WorkflowStatus = {
  RUNNING: 'RUNNING',
  PAUSED: 'PAUSED',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  TERMINATED: 'TERMINATED',
} as const;
export type WorkflowStatus = (typeof WorkflowStatus)[keyof typeof WorkflowStatus];

export const TERMINAL_WORKFLOW_STATUSES: ReadonlySet<string> = new Set<WorkflowStatus>([
  WorkflowStatus.COMPLETED,
  WorkflowStatus.FAILED,
  WorkflowStatus.TIMED_OUT,
  WorkflowStatus.TERMINATED,
]);

export function isTerminalWorkflowStatus(status: string): boolean {
  return TERMINAL_WORKFLOW_STATUSES.has(status);
}

export type JsonObject = Record<string, unknown>;

/**
 * A task as the server hands it to a worker (poll) or lists it in a workflow. The fields the worker
 * relies on are required; the poll parser fills them in when a server leaves them out.
 */
export interface Task {
  taskId: string;
  workflowInstanceId: string;
  taskType: string;
  referenceTaskName: string;
  inputData: JsonObject;
  retryCount: number;
  pollCount: number;
  responseTimeoutSeconds: number;
  callbackAfterSeconds: number;
  /** Baton's fencing token for this claim; echoed back in every report of the attempt. */
  attemptToken: string;
  workerId?: string;
  status?: TaskStatus;
  outputData?: JsonObject;
  reasonForIncompletion?: string;
  taskDefName?: string;
  workflowType?: string;
  correlationId?: string;
  seq?: number;
  iteration?: number;
  scheduledTime?: number;
  startTime?: number;
  endTime?: number;
  updateTime?: number;
  startDelayInSeconds?: number;
  retriedTaskId?: string;
  retried?: boolean;
  executed?: boolean;
  subWorkflowId?: string;
  workflowPriority?: number;
  domain?: string;
}

export interface TaskExecLog {
  log: string;
  taskId: string;
  createdTime: number;
}

/** Body of `POST /api/tasks`: a report (or a lease extension) for one attempt of a task. */
export interface TaskResult {
  taskId: string;
  workflowInstanceId: string;
  workerId: string;
  status: TaskResultStatus;
  outputData?: JsonObject;
  reasonForIncompletion?: string;
  callbackAfterSeconds?: number;
  attemptToken?: string;
  logs?: TaskExecLog[];
  /** Set on lease extensions: keep the claim alive without changing the task's result. */
  extendLease?: boolean;
}

export interface Workflow {
  workflowId: string;
  workflowName: string;
  workflowVersion: number;
  status: WorkflowStatus;
  input: JsonObject;
  output: JsonObject;
  tasks: Task[];
  reasonForIncompletion?: string;
  correlationId?: string;
  priority?: number;
  variables?: JsonObject;
  createTime?: number;
  updateTime?: number;
  startTime?: number;
  endTime?: number;
  parentWorkflowId?: string;
  failedReferenceTaskNames?: string[];
}

export interface StartWorkflowRequest {
  name: string;
  version?: number;
  input: JsonObject;
  correlationId?: string;
  priority?: number;
}

// Definitions are owned by the definitions workspace (JSON Schemas); the SDK only carries them to
// the server, so these types name the common fields and let any other field through unchanged.

export interface TaskDefLike {
  name: string;
  description?: string;
  retryCount?: number;
  retryLogic?: 'FIXED' | 'EXPONENTIAL_BACKOFF' | 'LINEAR_BACKOFF';
  retryDelaySeconds?: number;
  backoffScaleFactor?: number;
  timeoutSeconds?: number;
  timeoutPolicy?: 'RETRY' | 'TIME_OUT_WF' | 'ALERT_ONLY';
  responseTimeoutSeconds?: number;
  pollTimeoutSeconds?: number;
  concurrentExecLimit?: number;
  rateLimitPerFrequency?: number;
  rateLimitFrequencyInSeconds?: number;
  inputKeys?: string[];
  outputKeys?: string[];
  inputTemplate?: JsonObject;
  ownerEmail?: string;
  [field: string]: unknown;
}

export interface WorkflowTaskLike {
  name: string;
  taskReferenceName: string;
  type?: string;
  inputParameters?: JsonObject;
  optional?: boolean;
  decisionCases?: Record<string, WorkflowTaskLike[]>;
  defaultCase?: WorkflowTaskLike[];
  forkTasks?: WorkflowTaskLike[][];
  joinOn?: string[];
  loopCondition?: string;
  loopOver?: WorkflowTaskLike[];
  evaluatorType?: string;
  expression?: string;
  [field: string]: unknown;
}

export interface WorkflowDefLike {
  name: string;
  description?: string;
  version?: number;
  schemaVersion?: number;
  tasks: WorkflowTaskLike[];
  inputParameters?: string[];
  outputParameters?: JsonObject;
  failureWorkflow?: string;
  restartable?: boolean;
  timeoutPolicy?: 'TIME_OUT_WF' | 'ALERT_ONLY';
  timeoutSeconds?: number;
  variables?: JsonObject;
  inputTemplate?: JsonObject;
  ownerEmail?: string;
  [field: string]: unknown;
}

/** RFC 9457 problem details, as Baton answers every 4xx/5xx. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** One entry per bad field, with a JSON pointer into the request body. */
  errors?: ProblemFieldError[];
  /** Baton's hint whether the same request may succeed later. */
  retryable?: boolean;
  [extension: string]: unknown;
}

export interface ProblemFieldError {
  pointer: string;
  message: string;
}
