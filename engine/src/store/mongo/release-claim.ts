import { TaskStatus } from '../../domain/status';
import type { ClaimRestore } from '../port';
import { toDeadline } from './codec';
import type { Collections } from './collections';

/**
 * Undoes a claim no worker received (over a concurrency limit, or the long poll went away).
 * Atomic: one updateOne whose filter is the claim itself (id, IN_PROGRESS, attempt token) puts
 * the attempt back in the queue with its clock fields as they were and the poll uncounted; if
 * anything touched the claim since, it matches nothing and changes nothing.
 */
export async function releaseClaim(
  c: Collections,
  taskId: string,
  attemptToken: string,
  restore: ClaimRestore,
  now: number,
): Promise<boolean> {
  const res = await c.tasks.updateOne(
    { _id: taskId, status: TaskStatus.IN_PROGRESS, attemptToken },
    {
      $set: {
        status: TaskStatus.SCHEDULED,
        attemptToken: null,
        workerId: null,
        leaseUntil: 0,
        startTime: restore.startTime,
        timeoutAt: toDeadline(restore.timeoutAt),
        deadlineAt: toDeadline(restore.deadlineAt),
        updateTime: now,
      },
      $inc: { pollCount: -1 },
    },
  );
  return res.modifiedCount === 1;
}
