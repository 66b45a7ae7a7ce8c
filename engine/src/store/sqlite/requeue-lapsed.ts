import type Database from 'better-sqlite3';
import { rankOf } from '../../domain/priority';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { AttemptFence } from '../port';
import type { Rows } from './rows';
import { holds } from './sweeps';

/**
 * Puts a lapsed engine-queue claim back in its queue. Atomic: one transaction reads the attempt,
 * checks the fence the sweeper saw (status, token, lease) and writes it SCHEDULED and visible now,
 * with its clocks (startTime, timeoutAt, deadlineAt) and its run count kept.
 */
export function requeueLapsedClaim(
  db: Database.Database,
  rows: Rows,
  taskId: string,
  expected: AttemptFence,
  now: number,
): TaskRecord | null {
  return db.transaction(() => {
    const t = rows.getTask(taskId);
    if (!t || !t.queued || !holds(t, expected)) return null;
    const back: TaskRecord = {
      ...t,
      status: TaskStatus.SCHEDULED,
      attemptToken: null,
      workerId: null,
      leaseUntil: 0,
      visibleAt: now,
      rank: rankOf(now, t.workflowPriority),
      updateTime: now,
    };
    rows.putTask(back);
    return back;
  })();
}
