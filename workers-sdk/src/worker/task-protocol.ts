// The three task endpoints a worker uses: batch poll, report, lease extension.
import { HttpError } from '../errors';
import type { HttpTransport } from '../http/transport';
import { parseJsonBody } from '../http/transport';
import { RetryMode } from '../http/retry-policy';
import { parseTaskList } from '../protocol/parse';
import type { Task, TaskResult } from '../protocol/types';
import { TaskResultStatus } from '../protocol/types';
import { attemptTokenField } from './outcome';

export const ReportOutcome = {
  ACCEPTED: 'accepted',
  /** 409 or 404: the attempt was superseded or its lease expired; the server changed nothing. */
  STALE: 'stale',
} as const;
export type ReportOutcome = (typeof ReportOutcome)[keyof typeof ReportOutcome];

export class TaskProtocol {
  constructor(
    private readonly http: HttpTransport,
    private readonly workerId: string,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Claims up to `count` tasks, waiting at most `waitMs` on the server for some to appear. */
  async poll(taskType: string, count: number, waitMs: number, signal: AbortSignal): Promise<Task[]> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/tasks/poll/batch/${encodeURIComponent(taskType)}`,
      query: { workerid: this.workerId, count, timeout: waitMs },
      // Never resent: if an answer is lost, the tasks it claimed come back when their lease expires.
      retry: RetryMode.NEVER,
      signal,
      timeoutMs: waitMs + this.requestTimeoutMs,
    });
    if (response.status === 204 || response.text.trim() === '') return [];
    return parseTaskList(parseJsonBody(response, `poll for ${taskType}`), taskType);
  }

  /** Sends a result. A duplicate report of the same attempt is harmless, so transient errors are retried. */
  async report(result: TaskResult): Promise<ReportOutcome> {
    return this.postTaskResult(result, {});
  }

  async extendLease(task: Task, signal: AbortSignal, retryBudgetMs: number | undefined): Promise<ReportOutcome> {
    const extension: TaskResult = {
      taskId: task.taskId,
      workflowInstanceId: task.workflowInstanceId,
      workerId: this.workerId,
      status: TaskResultStatus.IN_PROGRESS,
      extendLease: true,
      ...attemptTokenField(task),
    };
    return this.postTaskResult(extension, { signal, retryBudgetMs });
  }

  private async postTaskResult(
    body: TaskResult,
    options: { signal?: AbortSignal; retryBudgetMs?: number | undefined },
  ): Promise<ReportOutcome> {
    try {
      await this.http.send({
        method: 'POST',
        path: '/api/tasks',
        body,
        retry: RetryMode.IDEMPOTENT,
        ...(options.signal !== undefined && { signal: options.signal }),
        ...(options.retryBudgetMs !== undefined && { retryBudgetMs: options.retryBudgetMs }),
      });
      return ReportOutcome.ACCEPTED;
    } catch (error) {
      if (error instanceof HttpError && error.isStaleAttempt) return ReportOutcome.STALE;
      throw error;
    }
  }
}
