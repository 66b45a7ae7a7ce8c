/**
 * The workflow task types Baton understands, with Conductor's names so that Conductor definitions
 * load unchanged. SIMPLE tasks run in workers; the others are operators or system tasks the engine
 * runs itself. DECISION is Conductor's older form of SWITCH and is kept for old definitions.
 */
export const TaskType = {
  SIMPLE: 'SIMPLE',
  SWITCH: 'SWITCH',
  DECISION: 'DECISION',
  FORK_JOIN: 'FORK_JOIN',
  FORK_JOIN_DYNAMIC: 'FORK_JOIN_DYNAMIC',
  JOIN: 'JOIN',
  EXCLUSIVE_JOIN: 'EXCLUSIVE_JOIN',
  DO_WHILE: 'DO_WHILE',
  SUB_WORKFLOW: 'SUB_WORKFLOW',
  START_WORKFLOW: 'START_WORKFLOW',
  WAIT: 'WAIT',
  HUMAN: 'HUMAN',
  TERMINATE: 'TERMINATE',
  SET_VARIABLE: 'SET_VARIABLE',
  NOOP: 'NOOP',
  DYNAMIC: 'DYNAMIC',
  INLINE: 'INLINE',
  JSON_JQ_TRANSFORM: 'JSON_JQ_TRANSFORM',
  HTTP: 'HTTP',
  /** Waits for a matching event (POST /api/events, EVENT tasks); Baton's, after Inngest's waitForEvent. */
  WAIT_FOR_EVENT: 'WAIT_FOR_EVENT',
  /** Takes the oldest pending signal of a name from the workflow's inbox (Baton's, after Temporal's signals). */
  WAIT_FOR_SIGNAL: 'WAIT_FOR_SIGNAL',
  /** Publishes an event (`sink: "conductor:<name>"`), as Conductor's EVENT task. */
  EVENT: 'EVENT',
} as const;
export type TaskType = (typeof TaskType)[keyof typeof TaskType];

export const taskTypes: readonly TaskType[] = Object.values(TaskType);

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === 'string' && (taskTypes as readonly string[]).includes(value);
}

/** What a task does when it exceeds timeoutSeconds (Conductor's TaskDef.TimeoutPolicy). */
export const TaskTimeoutPolicy = {
  RETRY: 'RETRY',
  TIME_OUT_WF: 'TIME_OUT_WF',
  ALERT_ONLY: 'ALERT_ONLY',
} as const;
export type TaskTimeoutPolicy = (typeof TaskTimeoutPolicy)[keyof typeof TaskTimeoutPolicy];

/** What a workflow does when it exceeds its timeoutSeconds (Conductor's WorkflowDef.TimeoutPolicy). */
export const WorkflowTimeoutPolicy = {
  TIME_OUT_WF: 'TIME_OUT_WF',
  ALERT_ONLY: 'ALERT_ONLY',
} as const;
export type WorkflowTimeoutPolicy = (typeof WorkflowTimeoutPolicy)[keyof typeof WorkflowTimeoutPolicy];

export const RetryLogic = {
  FIXED: 'FIXED',
  EXPONENTIAL_BACKOFF: 'EXPONENTIAL_BACKOFF',
  LINEAR_BACKOFF: 'LINEAR_BACKOFF',
} as const;
export type RetryLogic = (typeof RetryLogic)[keyof typeof RetryLogic];

/** How SWITCH evaluates `expression`: as the name of an input parameter, or as a script. */
export const EvaluatorType = {
  VALUE_PARAM: 'value-param',
  JAVASCRIPT: 'javascript',
  GRAALJS: 'graaljs',
} as const;
export type EvaluatorType = (typeof EvaluatorType)[keyof typeof EvaluatorType];
