import type Database from 'better-sqlite3';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { TimeoutAlert, TimeoutKind } from '../../domain/timeouts';
import type { AttemptFence, DeadlineUpdate } from '../port';
import { parseTask, type Rows, type TaskRow } from './rows';

/**
 * The sweeper's reads (each served by a partial index holding only candidate rows) and its
 * writes, timeOutAttempt and recordTimeoutAlert, which are fenced like a worker's report: each
 * applies only if the attempt is still in the status, claim and deadline the sweeper saw (one
 * transaction reads and writes), so a report, lease extension or re-queue that lands first wins.
 */
export class SqliteSweeps {
  private readonly leases: Database.Statement;
  private readonly pollDeadlines: Database.Statement;
  private readonly deadlines: Database.Statement;
  private readonly unapplied: Database.Statement;
  private readonly wfTimers: Database.Statement;
  private readonly taskTimers: Database.Statement;
  private readonly exhausted: Database.Statement;
  private readonly exhaustedOfType: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly rows: Rows,
  ) {
    this.leases = db.prepare(
      `SELECT doc, input, output FROM tasks WHERE status = 'IN_PROGRESS' AND lease_until > 0 AND lease_until <= ? ORDER BY lease_until LIMIT ?`,
    );
    this.pollDeadlines = db.prepare(
      `SELECT doc, input, output FROM tasks WHERE status = 'SCHEDULED' AND poll_deadline_at > 0 AND poll_deadline_at <= ? ORDER BY poll_deadline_at LIMIT ?`,
    );
    this.deadlines = db.prepare(
      `SELECT doc, input, output FROM tasks WHERE status IN ('SCHEDULED', 'IN_PROGRESS') AND deadline_at > 0 AND deadline_at <= ? ORDER BY deadline_at LIMIT ?`,
    );
    this.unapplied = db.prepare(`SELECT DISTINCT workflow_id FROM tasks WHERE applied = 0 AND update_time <= ? LIMIT ?`);
    this.wfTimers = db.prepare(`SELECT workflow_id FROM workflows WHERE wake_at > 0 AND wake_at <= ? ORDER BY wake_at LIMIT ?`);
    this.taskTimers = db.prepare(
      `SELECT doc, input, output FROM tasks WHERE wake_at > 0 AND status = 'IN_PROGRESS' AND wake_at <= ? ORDER BY wake_at LIMIT ?`,
    );
    this.exhausted = db.prepare(`SELECT doc, input, output FROM tasks WHERE exhausted = 1 ORDER BY update_time DESC LIMIT ?`);
    this.exhaustedOfType = db.prepare(
      `SELECT doc, input, output FROM tasks WHERE exhausted = 1 AND task_type = ? ORDER BY update_time DESC LIMIT ?`,
    );
  }

  expiredLeases(now: number, limit: number): TaskRecord[] {
    return (this.leases.all(now, limit) as TaskRow[]).map(parseTask);
  }

  expiredPollDeadlines(now: number, limit: number): TaskRecord[] {
    return (this.pollDeadlines.all(now, limit) as TaskRow[]).map(parseTask);
  }

  expiredDeadlines(now: number, limit: number): TaskRecord[] {
    return (this.deadlines.all(now, limit) as TaskRow[]).map(parseTask);
  }

  timeOutAttempt(taskId: string, expected: AttemptFence, reason: string, now: number, timedOutBy: TimeoutKind | null): TaskRecord | null {
    return this.db.transaction(() => {
      const t = this.rows.getTask(taskId);
      if (!t || !holds(t, expected)) return null;
      const timedOut: TaskRecord = {
        ...t,
        status: TaskStatus.TIMED_OUT,
        reasonForIncompletion: reason,
        endTime: now,
        updateTime: now,
        leaseUntil: 0,
        wakeAt: 0,
        applied: false,
        timedOutBy,
      };
      this.rows.putTaskMeta(timedOut);
      return timedOut;
    })();
  }

  recordTimeoutAlert(taskId: string, expected: AttemptFence, alert: TimeoutAlert, next: DeadlineUpdate, now: number): TaskRecord | null {
    return this.db.transaction(() => {
      const t = this.rows.getTask(taskId);
      if (!t || !holds(t, expected)) return null;
      const marked: TaskRecord = { ...t, ...next, timeoutAlerts: [...t.timeoutAlerts, alert], updateTime: now };
      this.rows.putTaskMeta(marked);
      return marked;
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

  failedTasks(taskType: string | null, limit: number): TaskRecord[] {
    const found = taskType === null ? this.exhausted.all(limit) : this.exhaustedOfType.all(taskType, limit);
    return (found as TaskRow[]).map(parseTask);
  }
}

/** True when the attempt is still exactly as the sweeper saw it. */
export function holds(t: TaskRecord, f: AttemptFence): boolean {
  return (
    t.status === f.status &&
    t.attemptToken === f.attemptToken &&
    (f.leaseUntil === undefined || t.leaseUntil === f.leaseUntil) &&
    (f.pollDeadlineAt === undefined || t.pollDeadlineAt === f.pollDeadlineAt) &&
    (f.deadlineAt === undefined || t.deadlineAt === f.deadlineAt)
  );
}
