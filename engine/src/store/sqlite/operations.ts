import type Database from 'better-sqlite3';
import type { JsonObject, TaskRecord } from '../../domain/records';
import type { TaskStatus } from '../../domain/status';
import type { OpenAttemptFence, PollDataEntry, TaskLogEntry } from '../operations-port';
import type { Rows } from './rows';

const TERMINAL = `('COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT', 'CANCELED', 'SKIPPED')`;

/**
 * Operators' operations (operations-port.ts). Each is one statement or one transaction, so atomic
 * with respect to every other request of the single engine process that owns the file.
 */
export class SqliteOperations {
  constructor(
    private readonly db: Database.Database,
    private readonly rows: Rows,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS task_logs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        created_time INTEGER NOT NULL,
        log TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS task_logs_by_task ON task_logs (task_id, id);
      CREATE INDEX IF NOT EXISTS task_logs_by_workflow ON task_logs (workflow_id);
      CREATE TABLE IF NOT EXISTS poll_data (
        queue_name TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        domain TEXT,
        last_poll_time INTEGER NOT NULL,
        PRIMARY KEY (queue_name, worker_id)
      );
    `);
  }

  deleteFinishedTasks(workflowId: string): number {
    return this.db.prepare(`DELETE FROM tasks WHERE workflow_id = ? AND status IN ${TERMINAL}`).run(workflowId).changes;
  }

  removeWorkflow(workflowId: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare(`DELETE FROM task_logs WHERE workflow_id = ?`).run(workflowId);
      this.db.prepare(`DELETE FROM tasks WHERE workflow_id = ?`).run(workflowId);
      return this.db.prepare(`DELETE FROM workflows WHERE workflow_id = ?`).run(workflowId).changes > 0;
    })();
  }

  appendTaskLog(e: TaskLogEntry & { workflowId: string }): void {
    this.db
      .prepare(`INSERT INTO task_logs (task_id, workflow_id, created_time, log) VALUES (?, ?, ?, ?)`)
      .run(e.taskId, e.workflowId, e.createdTime, e.log);
  }

  taskLogs(taskId: string, limit: number): TaskLogEntry[] {
    const rows = this.db
      .prepare(`SELECT task_id, created_time, log FROM task_logs WHERE task_id = ? ORDER BY id LIMIT ?`)
      .all(taskId, limit) as Array<{
      task_id: string;
      created_time: number;
      log: string;
    }>;
    return rows.map((r) => ({ taskId: r.task_id, createdTime: r.created_time, log: r.log }));
  }

  recordPollData(e: PollDataEntry, forgetBefore: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO poll_data (queue_name, worker_id, domain, last_poll_time) VALUES (?, ?, ?, ?)
          ON CONFLICT (queue_name, worker_id) DO UPDATE SET domain = excluded.domain, last_poll_time = MAX(last_poll_time, excluded.last_poll_time)`,
        )
        .run(e.queueName, e.workerId, e.domain, e.lastPollTime);
      this.db.prepare(`DELETE FROM poll_data WHERE queue_name = ? AND last_poll_time < ?`).run(e.queueName, forgetBefore);
    })();
  }

  pollData(queueName: string | null): PollDataEntry[] {
    const rows = (
      queueName === null
        ? this.db.prepare(`SELECT * FROM poll_data ORDER BY queue_name, last_poll_time DESC`).all()
        : this.db.prepare(`SELECT * FROM poll_data WHERE queue_name = ? ORDER BY last_poll_time DESC`).all(queueName)
    ) as Array<{ queue_name: string; worker_id: string; domain: string | null; last_poll_time: number }>;
    return rows.map((r) => ({ queueName: r.queue_name, workerId: r.worker_id, domain: r.domain, lastPollTime: r.last_poll_time }));
  }

  queueDepths(now: number): Record<string, number> {
    // Served by the claim index (schema.ts: tasks_claimable holds exactly the SCHEDULED queued rows).
    const rows = this.db
      .prepare(
        `SELECT task_type, COUNT(*) AS n FROM tasks WHERE status = 'SCHEDULED' AND queued = 1 AND visible_at <= ? GROUP BY task_type`,
      )
      .all(now) as Array<{ task_type: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.task_type, r.n]));
  }

  completeOpenAttempt(
    taskId: string,
    expected: OpenAttemptFence,
    result: { status: TaskStatus; outputData: JsonObject; reasonForIncompletion: string | null },
    now: number,
  ): TaskRecord | null {
    return this.db.transaction((): TaskRecord | null => {
      const t = this.rows.getTask(taskId);
      if (!t || !t.queued || t.status !== expected.status || t.attemptToken !== expected.attemptToken) return null;
      const done: TaskRecord = {
        ...t,
        status: result.status,
        outputData: result.outputData,
        reasonForIncompletion: result.reasonForIncompletion,
        startTime: t.startTime || now,
        endTime: now,
        updateTime: now,
        leaseUntil: 0,
        wakeAt: 0,
        pollDeadlineAt: 0,
        deadlineAt: 0,
        applied: false,
      };
      this.rows.putTask(done);
      return done;
    })();
  }
}
