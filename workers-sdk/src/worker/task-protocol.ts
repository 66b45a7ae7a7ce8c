// The three task endpoints a worker uses: batch poll, report, lease extension.
import { HttpError } from '../errors';
import type { HttpTransport } from '../http/transport';
import { parseJsonBody } from '../http/transport';
import { RetryMode } from '../http/retry-policy';
import { parseTask, parseTaskList } from '../protocol/parse';
import type { Task, TaskResult } from '../protocol/types';
import { TaskResultStatus } from '../protocol/types';
import { ExternalPayloadClient } from './external-payloads';
import { attemptTokenField } from './outcome';

export const ReportOutcome = {
  ACCEPTED: 'accepted',
  /** 409 or 404: the attempt was superseded or its lease expired; the server changed nothing. */
  STALE: 'stale',
} as const;
export type ReportOutcome = (typeof ReportOutcome)[keyof typeof ReportOutcome];

/** Whether the server has `POST /api/tasks/update-v2` (report and claim the next task in one call). */
type UpdateV2 = 'unknown' | 'yes' | 'no';

export class TaskProtocol {
  private updateV2: UpdateV2 = 'unknown';
  /** Inputs and outputs kept in the server's payload store (external-payloads.ts). */
  readonly payloads: ExternalPayloadClient;

  constructor(
    private readonly http: HttpTransport,
    private readonly workerId: string,
    private readonly requestTimeoutMs: number,
    externalPayloadThresholdBytes = 1024 * 1024,
  ) {
    this.payloads = new ExternalPayloadClient(http, externalPayloadThresholdBytes);
  }

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

  /**
   * Reports a terminal result and claims the next task of the same type in the same round trip
   * (`update-v2`, Conductor's and Baton's). Servers without it answer 404 or 405: the report is
   * then sent the old way, and once that succeeds this client stops asking. The call is never
   * resent (it claims a task, like a poll); after a transport failure the report goes the old,
   * retried way, without a next task.
   */
  async reportAndClaimNext(result: TaskResult, taskType: string): Promise<{ outcome: ReportOutcome; next: Task | undefined }> {
    if (this.updateV2 === 'no') return { outcome: await this.report(result), next: undefined };
    let response;
    try {
      response = await this.http.send({ method: 'POST', path: '/api/tasks/update-v2', body: result, retry: RetryMode.NEVER });
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 405)) {
        const outcome = await this.report(result);
        if (outcome === ReportOutcome.ACCEPTED && this.updateV2 === 'unknown') this.updateV2 = 'no';
        return { outcome, next: undefined };
      }
      if (error instanceof HttpError && error.isStaleAttempt) return { outcome: ReportOutcome.STALE, next: undefined };
      if (error instanceof HttpError && !error.retryable) throw error;
      return { outcome: await this.report(result), next: undefined };
    }
    this.updateV2 = 'yes';
    const text = response.text.trim();
    if (response.status === 204 || text === '' || text === 'null') return { outcome: ReportOutcome.ACCEPTED, next: undefined };
    return {
      outcome: ReportOutcome.ACCEPTED,
      next: parseTask(parseJsonBody(response, `update-v2 for ${taskType}`), `update-v2 for ${taskType}`, taskType),
    };
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
