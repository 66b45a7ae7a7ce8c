import type Database from 'better-sqlite3';
import type { TaskRecord } from '../../domain/records';
import type { TaskStatus } from '../../domain/status';
import { parseTask, type Rows, type TaskRow } from './rows';

/**
 * The sweeper's reads (each served by a partial index holding only candidate rows) and its one
 * write, timeOutAttempt, which is fenced like a worker's report: it applies only if the attempt
 * is still in the status and claim the sweeper saw, so a report that lands first wins.
 */
export class SqliteSweeps {
  private readonly leases: Database.Statement;
  private readonly unapplied: Database.Statement;
  private readonly wfTimers: Database.Statement;
  private readonly taskTimers: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly rows: Rows,
  ) {
    this.leases = db.prepare(`SELECT doc FROM tasks WHERE status = 'IN_PROGRESS' AND lease_until > 0 AND lease_until <= ? ORDER BY lease_until LIMIT ?`);
    this.unapplied = db.prepare(`SELECT DISTINCT workflow_id FROM tasks WHERE applied = 0 AND update_time <= ? LIMIT ?`);
    this.wfTimers = db.prepare(`SELECT workflow_id FROM workflows WHERE wake_at > 0 AND wake_at <= ? ORDER BY wake_at LIMIT ?`);
    this.taskTimers = db.prepare(`SELECT doc FROM tasks WHERE wake_at > 0 AND status = 'IN_PROGRESS' AND wake_at <= ? ORDER BY wake_at LIMIT ?`);
  }

  expiredLeases(now: number, limit: number): TaskRecord[] {
    return (this.leases.all(now, limit) as TaskRow[]).map(parseTask);
  }

  timeOutAttempt(taskId: string, expected: { status: TaskStatus; attemptToken: string | null }, reason: string, now: number): TaskRecord | null {
    return this.db.transaction(() => {
      const t = this.rows.getTask(taskId);
      if (!t || t.status !== expected.status || t.attemptToken !== expected.attemptToken) return null;
      const timedOut: TaskRecord = {
        ...t,
        status: 'TIMED_OUT',
        reasonForIncompletion: reason,
        endTime: now,
        updateTime: now,
        leaseUntil: 0,
        wakeAt: 0,
        applied: false,
      };
      this.rows.putTask(timedOut);
      return timedOut;
    })();
  }

  workflowsWithUnappliedResults(before: number, limit: number): string[] {
    return (this.unapplied.all(before, limit) as Array<{ workflow_id: string }>).map((r) => r.workflow_id);
  }

  dueWorkflowTimers(now: number, limit: number): string[] {
    return (this.wfTimers.all(now, limit) as Array<{ workflow_id: string }>).map((r) => r.workflow_id);
  }

  dueTaskTimers(now: number, limit: number): TaskRecord[] {
    return (this.taskTimers.all(now, limit) as TaskRow[]).map(parseTask);
  }
}
