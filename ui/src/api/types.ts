import type {
  PollData,
  Task as WireTask,
  TaskSummary as WireTaskSummary,
  Workflow as WireWorkflow,
  WorkflowSummary as WireWorkflowSummary,
} from '@baton/protocol';
import type { TaskDef, WorkflowDef, WorkflowTask } from '@baton/definitions';

export type { PollData, TaskDef, WorkflowDef, WorkflowTask };

/** Search results (Conductor's summaries: times as ISO strings). The wire schemas type status loosely; these name it. */
export type WorkflowSummary = Omit<WireWorkflowSummary, 'status'> & { status: WorkflowStatus };
export type TaskSummary = Omit<WireTaskSummary, 'status'> & { status: TaskStatus };

/** A task attempt as GET /api/workflow/{id} shows it, with Baton's extra fields (engine/src/api/serialize.ts). */
export interface Task extends Omit<WireTask, 'status'> {
  status: TaskStatus;
  pollDeadlineAt?: number;
  timeoutAt?: number;
  totalDeadlineAt?: number;
  timeoutAlerts?: Array<{ kind: string; at: number }>;
}

export interface Workflow extends Omit<WireWorkflow, 'status' | 'tasks' | 'workflowDefinition'> {
  status: WorkflowStatus;
  tasks?: Task[];
  workflowDefinition?: WorkflowDef;
  timeoutAlertedAt?: number;
}

export const workflowStatuses = ['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'PAUSED'] as const;
export type WorkflowStatus = (typeof workflowStatuses)[number];

export const taskStatuses = [
  'SCHEDULED',
  'IN_PROGRESS',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'FAILED_WITH_TERMINAL_ERROR',
  'TIMED_OUT',
  'CANCELED',
  'SKIPPED',
] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export interface SearchResult<T> {
  totalHits: number;
  results: T[];
}

export interface TaskLog {
  log: string;
  taskId?: string;
  createdTime: number;
}

/** GET /api/metadata/taskdefs/{name}/changes (engine/src/domain/records.ts TaskDefChange). */
export interface TaskDefChange {
  name: string;
  changedAt: number;
  changedBy: string;
  before: TaskDef | null;
  after: TaskDef | null;
}

export interface RetryFailedResult {
  retried: string[];
  skipped: Array<{ workflowId: string; reason: string }>;
}

export interface BulkResponse {
  bulkSuccessfulResults: string[];
  bulkErrorResults: Record<string, string>;
}

export const isEnded = (s: WorkflowStatus): boolean => s !== 'RUNNING' && s !== 'PAUSED';
export const isOpenTask = (s: TaskStatus): boolean => s === 'SCHEDULED' || s === 'IN_PROGRESS';
