/** Task attempt states, with Conductor's names (they travel over the wire unchanged). */
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

export const WorkflowStatus = {
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  TERMINATED: 'TERMINATED',
  PAUSED: 'PAUSED',
} as const;
export type WorkflowStatus = (typeof WorkflowStatus)[keyof typeof WorkflowStatus];

const terminalTask: ReadonlySet<string> = new Set<TaskStatus>([
  TaskStatus.COMPLETED,
  TaskStatus.COMPLETED_WITH_ERRORS,
  TaskStatus.FAILED,
  TaskStatus.FAILED_WITH_TERMINAL_ERROR,
  TaskStatus.TIMED_OUT,
  TaskStatus.CANCELED,
  TaskStatus.SKIPPED,
]);
export const isTerminalTask = (s: string): boolean => terminalTask.has(s);

/** Terminal states in which the step counts as done and the flow may go on. */
const successfulTask: ReadonlySet<string> = new Set<TaskStatus>([
  TaskStatus.COMPLETED,
  TaskStatus.COMPLETED_WITH_ERRORS,
  TaskStatus.SKIPPED,
]);
export const isSuccessfulTask = (s: string): boolean => successfulTask.has(s);

const terminalWorkflow: ReadonlySet<string> = new Set<WorkflowStatus>([
  WorkflowStatus.COMPLETED,
  WorkflowStatus.FAILED,
  WorkflowStatus.TIMED_OUT,
  WorkflowStatus.TERMINATED,
]);
export const isTerminalWorkflow = (s: string): boolean => terminalWorkflow.has(s);

/** Statuses a worker may report in `POST /api/tasks`. */
export const ReportableStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  FAILED_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
} as const;
export type ReportableStatus = (typeof ReportableStatus)[keyof typeof ReportableStatus];
