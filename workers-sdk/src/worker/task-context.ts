import type { Logger } from '../logger';
import type { InProgressOutcome } from './outcome';

/** What a handler knows about the attempt it runs, besides the task's input. */
export interface TaskContext {
  readonly taskId: string;
  readonly workflowInstanceId: string;
  readonly taskType: string;
  readonly referenceTaskName: string;
  readonly retryCount: number;
  readonly pollCount: number;
  readonly attemptToken: string;
  /**
   * Aborted (reason: LeaseLostError) when the server no longer accepts this attempt: whatever the
   * handler returns afterwards is dropped, so long handlers should stop early.
   */
  readonly signal: AbortSignal;
  /**
   * Extends the lease now (the worker also does so by itself every responseTimeoutSeconds/2).
   * Rejects with LeaseLostError when the server refuses.
   */
  extendLease(): Promise<void>;
  /** Carries taskId, workflowInstanceId and taskType on every line. */
  readonly logger: Logger;
}

export type TaskHandler<I, O> = (input: I, ctx: TaskContext) => O | InProgressOutcome | Promise<O | InProgressOutcome>;

export interface TaskRegistration<I, O> {
  taskType: string;
  /** Most tasks of this type run at once in this worker. Default 1. */
  concurrency?: number;
  handler: TaskHandler<I, O>;
}
