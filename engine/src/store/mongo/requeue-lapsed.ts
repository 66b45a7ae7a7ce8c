import { rankOf } from '../../domain/priority';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { AttemptFence } from '../port';
import { docToTask } from './codec';
import type { Collections } from './collections';

/**
 * Puts a lapsed engine-queue claim back in its queue. Atomic: one findOneAndUpdate whose filter
 * is the claim the sweeper saw (id, IN_PROGRESS, token, lease) writes it SCHEDULED and visible
 * now; its clocks and run count (pollCount) are left as they are. Of several engines sweeping
 * the same lapsed claim, one matches.
 */
export async function requeueLapsedClaim(
  c: Collections,
  taskId: string,
  expected: AttemptFence,
  now: number,
  priority: number,
): Promise<TaskRecord | null> {
  const doc = await c.tasks.findOneAndUpdate(
    {
      _id: taskId,
      queued: true,
      status: expected.status,
      attemptToken: expected.attemptToken,
      ...(expected.leaseUntil !== undefined ? { leaseUntil: expected.leaseUntil } : {}),
    },
    {
      $set: {
        status: TaskStatus.SCHEDULED,
        attemptToken: null,
        workerId: null,
        leaseUntil: 0,
        visibleAt: now,
        rank: rankOf(now, priority),
        updateTime: now,
      },
    },
    { returnDocument: 'after' },
  );
  return doc ? docToTask(doc) : null;
}
