import type { TaskRecord } from '../../domain/records';
import type { ClaimRequest } from '../port';
import { docToTask } from './codec';
import type { Collections } from './collections';

/**
 * Claims up to `count` tasks. Atomic per task: one findOneAndUpdate matches a SCHEDULED, visible
 * task of the type, takes the best rank (index `claim`: taskType, status, queued, rank), and in
 * the same step sets IN_PROGRESS with a fresh attempt token and lease, and starts the attempt's
 * own clock (`$min` on timeoutAt and deadlineAt, whose "none" is NO_DEADLINE: a first claim sets
 * them, a re-claim after a callback keeps the earlier ones). Two engines racing for one task
 * cannot both match it: the second sees status IN_PROGRESS and moves to the next.
 * Round trips: one per task claimed, plus one that finds nothing when the queue runs dry.
 */
export async function claimTasks(c: Collections, r: ClaimRequest): Promise<TaskRecord[]> {
  const out: TaskRecord[] = [];
  while (out.length < r.count) {
    const doc = await c.tasks.findOneAndUpdate(
      { taskType: r.taskType, status: 'SCHEDULED', queued: true, visibleAt: { $lte: r.now } },
      {
        $set: {
          status: 'IN_PROGRESS',
          startTime: r.now,
          updateTime: r.now,
          leaseUntil: r.now + r.leaseMs,
          attemptToken: r.newToken(),
          workerId: r.workerId,
        },
        $inc: { pollCount: 1 },
        ...(r.timeoutMs ? { $min: { timeoutAt: r.now + r.timeoutMs, deadlineAt: r.now + r.timeoutMs } } : {}),
      },
      { sort: { rank: 1 }, returnDocument: 'after' },
    );
    if (!doc) break;
    out.push(docToTask(doc));
  }
  return out;
}
