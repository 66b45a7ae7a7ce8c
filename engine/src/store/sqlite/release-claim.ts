import type Database from 'better-sqlite3';
import { TaskStatus } from '../../domain/status';
import type { ClaimRestore } from '../port';
import type { Rows } from './rows';

/**
 * Undoes a claim no worker received (over a concurrency limit, or the long poll went away).
 * Atomic: one transaction checks that the claim is still `attemptToken` and puts the attempt
 * back in the queue with its clock fields as they were before the claim, and the poll uncounted.
 */
export function releaseClaim(
  db: Database.Database,
  rows: Rows,
  taskId: string,
  attemptToken: string,
  restore: ClaimRestore,
  now: number,
): boolean {
  return db.transaction(() => {
    const t = rows.getTask(taskId);
    if (!t || t.status !== TaskStatus.IN_PROGRESS || t.attemptToken !== attemptToken) return false;
    rows.putTaskMeta({
      ...t,
      status: TaskStatus.SCHEDULED,
      attemptToken: null,
      workerId: null,
      leaseUntil: 0,
      pollCount: Math.max(0, t.pollCount - 1),
      startTime: restore.startTime,
      timeoutAt: restore.timeoutAt,
      deadlineAt: restore.deadlineAt,
      updateTime: now,
    });
    return true;
  })();
}
