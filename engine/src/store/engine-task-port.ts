import type { TaskRecord } from '../domain/records';
import type { AttemptFence } from './port';

/** The storage port's part for tasks the engine runs itself from its own queues (HTTP, jq). */
export interface EngineQueueStore {
  /**
   * A claim on an engine queue whose lease lapsed (the engine running it stopped): the attempt
   * goes back to its queue as it is, visible at once, if it is still exactly as the sweeper saw
   * it (`expected`: IN_PROGRESS, claim token, lease). Unlike releaseClaim the run stays counted
   * in pollCount, so an attempt that keeps stopping engines is given up after a few runs.
   * Null when the fence did not hold (a report, a renewal or another sweeper came first).
   */
  requeueLapsedClaim(
    task: Pick<TaskRecord, 'taskId' | 'workflowPriority'>,
    expected: AttemptFence,
    now: number,
  ): Promise<TaskRecord | null>;
}
