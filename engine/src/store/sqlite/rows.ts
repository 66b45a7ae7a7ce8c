import type Database from 'better-sqlite3';
import { taskRecordDefaults, type TaskRecord, type WorkflowRecord } from '../../domain/records';

/** Row <-> record mapping, and the upserts every operation shares. */
export interface TaskRow {
  doc: string;
}

export const parseTask = (row: TaskRow): TaskRecord => ({ ...taskRecordDefaults, ...(JSON.parse(row.doc) as TaskRecord) });
export const parseWorkflow = (row: { doc: string }): WorkflowRecord => JSON.parse(row.doc) as WorkflowRecord;

export class Rows {
  readonly insertTask: Database.Statement;
  readonly writeTask: Database.Statement;
  readonly readTask: Database.Statement;
  readonly insertWorkflow: Database.Statement;
  readonly writeWorkflow: Database.Statement;
  readonly readWorkflow: Database.Statement;

  constructor(db: Database.Database) {
    const taskCols = `task_id, workflow_id, task_type, status, queued, visible_at, rank, lease_until, wake_at, applied, update_time, seq,
      poll_deadline_at, deadline_at, exhausted, doc`;
    const taskVals = `@taskId, @workflowInstanceId, @taskType, @status, @queued, @visibleAt, @rank, @leaseUntil, @wakeAt, @applied, @updateTime, @seq,
      @pollDeadlineAt, @deadlineAt, @exhausted, @doc`;
    // INSERT OR IGNORE: a deterministic id that exists already was scheduled by an earlier decision.
    this.insertTask = db.prepare(`INSERT OR IGNORE INTO tasks (${taskCols}) VALUES (${taskVals})`);
    this.writeTask = db.prepare(
      `UPDATE tasks SET status=@status, queued=@queued, visible_at=@visibleAt, rank=@rank, lease_until=@leaseUntil,
        wake_at=@wakeAt, applied=@applied, update_time=@updateTime, poll_deadline_at=@pollDeadlineAt, deadline_at=@deadlineAt,
        exhausted=@exhausted, doc=@doc WHERE task_id=@taskId`,
    );
    this.readTask = db.prepare(`SELECT doc FROM tasks WHERE task_id = ?`);
    this.insertWorkflow = db.prepare(
      `INSERT INTO workflows (workflow_id, name, status, correlation_id, create_time, wake_at, revision, doc)
       VALUES (@workflowId, @workflowName, @status, @correlationId, @createTime, @wakeAt, @revision, @doc)`,
    );
    this.writeWorkflow = db.prepare(
      `UPDATE workflows SET status=@status, wake_at=@wakeAt, revision=@revision, doc=@doc WHERE workflow_id=@workflowId`,
    );
    this.readWorkflow = db.prepare(`SELECT doc FROM workflows WHERE workflow_id = ?`);
  }

  taskParams(t: TaskRecord): Record<string, unknown> {
    return { ...scalars(t), queued: t.queued ? 1 : 0, applied: t.applied ? 1 : 0, exhausted: t.exhausted ? 1 : 0, doc: JSON.stringify(t) };
  }

  putTask(t: TaskRecord): void {
    this.writeTask.run(this.taskParams(t));
  }

  getTask(taskId: string): TaskRecord | null {
    const row = this.readTask.get(taskId) as TaskRow | undefined;
    return row ? parseTask(row) : null;
  }

  getWorkflow(workflowId: string): WorkflowRecord | null {
    const row = this.readWorkflow.get(workflowId) as { doc: string } | undefined;
    return row ? parseWorkflow(row) : null;
  }

  putWorkflow(w: WorkflowRecord): void {
    this.writeWorkflow.run({ workflowId: w.workflowId, status: w.status, wakeAt: w.wakeAt, revision: w.revision, doc: JSON.stringify(w) });
  }
}

function scalars(t: TaskRecord): Record<string, unknown> {
  return {
    taskId: t.taskId,
    workflowInstanceId: t.workflowInstanceId,
    taskType: t.taskType,
    status: t.status,
    visibleAt: t.visibleAt,
    rank: t.rank,
    leaseUntil: t.leaseUntil,
    wakeAt: t.wakeAt,
    updateTime: t.updateTime,
    seq: t.seq,
    pollDeadlineAt: t.pollDeadlineAt ?? 0,
    deadlineAt: t.deadlineAt ?? 0,
  };
}
