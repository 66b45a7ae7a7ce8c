import type Database from 'better-sqlite3';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import { earliest } from '../../domain/timeouts';
import type { ClaimRequest } from '../port';
import { parseTask, type Rows, type TaskRow } from './rows';

/**
 * Claims up to `count` visible tasks of one type in rank order. Atomic: the select and the
 * updates run in one transaction; the partial index tasks_claimable holds only claimable rows in
 * claim order, so this reads exactly the rows it takes.
 */
export function claimTasks(db: Database.Database, rows: Rows, select: Database.Statement, c: ClaimRequest): TaskRecord[] {
  return db.transaction(() => {
    const found = select.all(c.taskType, c.now, c.count) as TaskRow[];
    return found.map((row) => {
      const t = parseTask(row);
      // The attempt's own clock starts at its first claim; a re-claim after a callback keeps it.
      const timeoutAt = t.timeoutAt > 0 || !c.timeoutMs ? t.timeoutAt : c.now + c.timeoutMs;
      const claimed: TaskRecord = {
        ...t,
        status: TaskStatus.IN_PROGRESS,
        startTime: c.now,
        updateTime: c.now,
        leaseUntil: c.now + c.leaseMs,
        attemptToken: c.newToken(),
        workerId: c.workerId,
        pollCount: t.pollCount + 1,
        timeoutAt,
        deadlineAt: earliest(timeoutAt, t.totalDeadlineAt),
      };
      rows.putTaskMeta(claimed);
      return claimed;
    });
  })();
}

export const claimSelectSql = `SELECT doc, input, output FROM tasks
  WHERE task_type = ? AND status = 'SCHEDULED' AND queued = 1 AND visible_at <= ?
  ORDER BY rank LIMIT ?`;
