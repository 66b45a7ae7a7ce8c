import type { JsonObject, TaskRecord } from '../domain/records';
import type { WorkflowSummaryRecord } from './port';
import type { TaskStatus } from '../domain/status';
import type { SearchPage, SearchRequest } from '../search/request';

/** Search over the records' own fields and payload text (search/, store/<adapter>/search.ts). */
export interface SearchStore {
  searchWorkflows(req: SearchRequest): Promise<SearchPage<WorkflowSummaryRecord>>;
  searchTasks(req: SearchRequest): Promise<SearchPage<TaskRecord>>;
}

export interface TaskLogEntry {
  taskId: string;
  log: string;
  createdTime: number;
}

export interface PollDataEntry {
  queueName: string;
  workerId: string;
  domain: string | null;
  lastPollTime: number;
}

/** What an attempt must still be for an operator's completion to apply (its status and claim). */
export interface OpenAttemptFence {
  status: TaskStatus;
  attemptToken: string | null;
}

/**
 * Operators' and Conductor's extra operations (runtime/lifecycle.ts, api/routes/task-logs.ts),
 * each one atomic step in each adapter (store/<adapter>/operations.ts).
 */
export interface OperationsStore {
  /**
   * Deletes the workflow's attempts that are over (terminal), before a restart schedules the first
   * steps again under the same deterministic ids. Open attempts are never deleted.
   */
  deleteFinishedTasks(workflowId: string): Promise<number>;
  /** Deletes a workflow, its tasks and their logs (tasks first: a crash leaves the workflow, not orphans). */
  removeWorkflow(workflowId: string): Promise<boolean>;
  appendTaskLog(entry: TaskLogEntry & { workflowId: string }): Promise<void>;
  /** Log lines added with appendTaskLog, oldest first. */
  taskLogs(taskId: string, limit: number): Promise<TaskLogEntry[]>;
  /** Records a poll of a queue by a worker; forgets that queue's pollers older than `forgetBefore`. */
  recordPollData(entry: PollDataEntry, forgetBefore: number): Promise<void>;
  pollData(queueName: string | null): Promise<PollDataEntry[]>;
  /** Claimable (visible, SCHEDULED, queued) tasks per task type with any. */
  queueDepths(now: number): Promise<Record<string, number>>;
  /**
   * Ends an open worker attempt on an operator's word (Conductor lets a client complete a task by
   * reference name, even before a worker claimed it), if it is still as `expected`. The result is
   * left unapplied for the next decision. Null when the fence did not hold.
   */
  completeOpenAttempt(
    taskId: string,
    expected: OpenAttemptFence,
    result: { status: TaskStatus; outputData: JsonObject; reasonForIncompletion: string | null },
    now: number,
  ): Promise<TaskRecord | null>;
}
