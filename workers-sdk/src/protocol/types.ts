// Wire types of the Conductor-compatible REST protocol, as the SDK sees them. They come from
// @baton/protocol, the schemas the engine validates requests with and its OpenAPI document is
// built from, so the SDK cannot drift from the server. The SDK never depends on the engine itself.
import type * as P from '@baton/protocol';
import { TaskResultStatus, TaskStatus, WorkflowStatus } from '@baton/protocol';

export { TaskResultStatus, TaskStatus, WorkflowStatus };

export const TERMINAL_WORKFLOW_STATUSES: ReadonlySet<string> = new Set<WorkflowStatus>([
  WorkflowStatus.COMPLETED,
  WorkflowStatus.FAILED,
  WorkflowStatus.TIMED_OUT,
  WorkflowStatus.TERMINATED,
]);

export function isTerminalWorkflowStatus(status: string): boolean {
  return TERMINAL_WORKFLOW_STATUSES.has(status);
}

export type JsonObject = P.JsonObject;

/**
 * A task as the server hands it to a worker (poll) or lists it in a workflow: the protocol's Task,
 * with the fields the worker relies on required (the poll parser, parse.ts, fills them in when a
 * server leaves them out) and Baton's fencing token always present ('' from other servers).
 */
export type Task = Partial<P.Task> &
  Required<
    Pick<
      P.Task,
      | 'taskId'
      | 'workflowInstanceId'
      | 'taskType'
      | 'referenceTaskName'
      | 'inputData'
      | 'retryCount'
      | 'pollCount'
      | 'responseTimeoutSeconds'
      | 'callbackAfterSeconds'
    >
  > & {
    attemptToken: string;
    /** Fields Baton does not send but other Conductor servers may. */
    retriedTaskId?: string;
    subWorkflowId?: string;
    domain?: string;
  };

export type TaskExecLog = P.TaskExecLog;

/** Body of `POST /api/tasks` and `POST /api/tasks/update-v2`: a report (or a lease extension) for one attempt of a task. */
export type TaskResult = P.TaskResult;

/** A workflow execution: the protocol's Workflow with its tasks as the SDK parses them. */
export type Workflow = Omit<Partial<P.Workflow>, 'tasks'> &
  Required<Pick<P.Workflow, 'workflowId' | 'workflowName' | 'workflowVersion' | 'status' | 'input' | 'output'>> & { tasks: Task[] };

export type StartWorkflowRequest = P.StartWorkflowRequest;

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
  /** Conductor's SchemaDef of the input: `{ name, version, type: 'JSON', data: <JSON Schema> }`. */
  inputSchema?: { name: string; version: number; type: 'JSON'; data: JsonObject };
  outputSchema?: { name: string; version: number; type: 'JSON'; data: JsonObject };
  /** The server refuses inputs and outputs that do not match the schemas. Default false. */
  enforceSchema?: boolean;
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

/** RFC 9457 problem details, as Baton answers every 4xx/5xx (with Conductor's message and validationErrors). */
export type ProblemDetails = Partial<P.Problem> & { [extension: string]: unknown };

export type ProblemFieldError = NonNullable<P.Problem['errors']>[number];
