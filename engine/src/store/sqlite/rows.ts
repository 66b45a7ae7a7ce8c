import type Database from 'better-sqlite3';
import type { WorkflowDef } from '@baton/definitions';
import { type DeciderMeta, type JsonObject, type StepState, type StoredWorkflow, type TaskRecord } from '../../domain/records';
import { isTerminalTask } from '../../domain/status';
import type { LoadedPayload } from '../port';

/** The columns a task row is read with (parseTask). */
export const TASK_COLUMNS = 'doc, input, output';

export interface TaskRow {
  doc: string;
  input: string;
  output: string;
}

interface WorkflowRow {
  doc: string;
  input: string;
  output: string;
  variables: string;
}

/** A task row's record. Every row is written whole by this layout (schema.ts), so no field needs a default. */
export function parseTask(row: TaskRow): TaskRecord {
  const t = JSON.parse(row.doc) as TaskRecord;
  t.inputData = JSON.parse(row.input) as JsonObject;
  t.outputData = JSON.parse(row.output) as JsonObject;
  return t;
}

/** A workflow row's own fields: everything but its payloads and its steps. */
export type WorkflowDocFields = Omit<StoredWorkflow, 'input' | 'output' | 'variables' | 'state'> & { meta: DeciderMeta };

export function parseWorkflowRow(row: WorkflowRow, steps: Record<string, StepState>): StoredWorkflow {
  const { meta, ...fields } = JSON.parse(row.doc) as WorkflowDocFields;
  return {
    ...fields,
    input: JSON.parse(row.input) as JsonObject,
    output: JSON.parse(row.output) as JsonObject,
    variables: JSON.parse(row.variables) as JsonObject,
    state: { ...meta, steps },
  };
}

/** The `doc` column of a workflow: its fields and the decider's counters, without payloads or steps. */
export function workflowDoc(w: StoredWorkflow): string {
  const { state, input: _i, output: _o, variables: _v, ...fields } = w;
  const { steps: _s, ...meta } = state;
  void [_i, _o, _v, _s];
  return JSON.stringify({ ...fields, meta } satisfies WorkflowDocFields);
}

export function parseWorkflowDoc(doc: string): WorkflowDocFields {
  return JSON.parse(doc) as WorkflowDocFields;
}

/** Row <-> record mapping, and the statements every operation shares. */
export class Rows {
  readonly insertTask: Database.Statement;
  private readonly writeTask: Database.Statement;
  private readonly writeTaskMeta: Database.Statement;
  private readonly readTask: Database.Statement;
  readonly insertWorkflow: Database.Statement;
  readonly readWorkflow: Database.Statement;
  readonly readWorkflowDoc: Database.Statement;
  readonly writeWorkflowDoc: Database.Statement;
  readonly writeWorkflowTimer: Database.Statement;
  readonly writeWorkflowAll: Database.Statement;
  readonly writeWorkflowOutput: Database.Statement;
  readonly writeWorkflowVariables: Database.Statement;
  readonly upsertStep: Database.Statement;
  readonly upsertTwoSteps: Database.Statement;
  readonly deleteStep: Database.Statement;
  private readonly readSteps: Database.Statement;
  private readonly insertSnapshot: Database.Statement;
  private readonly readSnapshot: Database.Statement;

  constructor(private readonly db: Database.Database) {
    const taskCols = `task_id, workflow_id, task_type, status, queued, visible_at, rank, lease_until, wake_at, applied, update_time, seq,
      poll_deadline_at, deadline_at, exhausted, doc, input, output`;
    const taskVals = `@taskId, @workflowInstanceId, @taskType, @status, @queued, @visibleAt, @rank, @leaseUntil, @wakeAt, @applied, @updateTime, @seq,
      @pollDeadlineAt, @deadlineAt, @exhausted, @doc, @input, @output`;
    const taskSet = `status=@status, queued=@queued, visible_at=@visibleAt, rank=@rank, lease_until=@leaseUntil,
        wake_at=@wakeAt, applied=@applied, update_time=@updateTime, poll_deadline_at=@pollDeadlineAt, deadline_at=@deadlineAt,
        exhausted=@exhausted, doc=@doc`;
    // INSERT OR IGNORE: a deterministic id that exists already was scheduled by an earlier decision.
    this.insertTask = db.prepare(`INSERT OR IGNORE INTO tasks (${taskCols}) VALUES (${taskVals})`);
    this.writeTask = db.prepare(`UPDATE tasks SET ${taskSet}, output=@output WHERE task_id=@taskId`);
    this.writeTaskMeta = db.prepare(`UPDATE tasks SET ${taskSet} WHERE task_id=@taskId`);
    this.readTask = db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE task_id = ?`);
    this.insertWorkflow = db.prepare(
      `INSERT INTO workflows (workflow_id, name, version, status, correlation_id, priority, parent_workflow_id, create_time, start_time,
         update_time, end_time, reason, wake_at, revision, doc, input, output, variables)
       VALUES (@workflowId, @workflowName, @workflowVersion, @status, @correlationId, @priority, @parentWorkflowId, @createTime, @startTime,
         @updateTime, @endTime, @reasonForIncompletion, @wakeAt, @revision, @doc, @input, @output, @variables)`,
    );
    this.readWorkflow = db.prepare(`SELECT doc, input, output, variables FROM workflows WHERE workflow_id = ?`);
    this.readWorkflowDoc = db.prepare(`SELECT doc, revision FROM workflows WHERE workflow_id = ?`);
    // A decision that changes neither status nor end nor timer touches one index (update time's);
    // the others write the indexed columns too (commit-decision.ts picks).
    this.writeWorkflowDoc = db.prepare(
      `UPDATE workflows SET update_time=@updateTime, revision=@revision, doc=@doc WHERE workflow_id=@workflowId`,
    );
    this.writeWorkflowTimer = db.prepare(
      `UPDATE workflows SET update_time=@updateTime, wake_at=@wakeAt, revision=@revision, doc=@doc WHERE workflow_id=@workflowId`,
    );
    this.writeWorkflowAll = db.prepare(
      `UPDATE workflows SET name=@workflowName, version=@workflowVersion, status=@status, correlation_id=@correlationId, priority=@priority,
         parent_workflow_id=@parentWorkflowId, start_time=@startTime, update_time=@updateTime, end_time=@endTime,
         reason=@reasonForIncompletion, wake_at=@wakeAt, revision=@revision, doc=@doc WHERE workflow_id=@workflowId`,
    );
    this.writeWorkflowOutput = db.prepare(`UPDATE workflows SET output = ? WHERE workflow_id = ?`);
    this.writeWorkflowVariables = db.prepare(`UPDATE workflows SET variables = ? WHERE workflow_id = ?`);
    this.upsertStep = db.prepare(
      `INSERT INTO steps (workflow_id, ref, doc) VALUES (?, ?, ?) ON CONFLICT(workflow_id, ref) DO UPDATE SET doc = excluded.doc`,
    );
    this.upsertTwoSteps = db.prepare(
      `INSERT INTO steps (workflow_id, ref, doc) VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT(workflow_id, ref) DO UPDATE SET doc = excluded.doc`,
    );
    this.deleteStep = db.prepare(`DELETE FROM steps WHERE workflow_id = ? AND ref = ?`);
    this.readSteps = db.prepare(`SELECT ref, doc FROM steps WHERE workflow_id = ?`);
    this.insertSnapshot = db.prepare(`INSERT OR IGNORE INTO definition_snapshots (id, doc) VALUES (?, ?)`);
    this.readSnapshot = db.prepare(`SELECT doc FROM definition_snapshots WHERE id = ?`);
  }

  taskParams(t: TaskRecord): Record<string, unknown> {
    return { ...this.taskMetaParams(t), input: JSON.stringify(t.inputData), output: JSON.stringify(t.outputData) };
  }

  private taskMetaParams(t: TaskRecord): Record<string, unknown> {
    const { inputData: _i, outputData: _o, ...doc } = t;
    void _i;
    void _o;
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
      queued: t.queued ? 1 : 0,
      applied: t.applied ? 1 : 0,
      exhausted: t.exhausted ? 1 : 0,
      doc: JSON.stringify(doc),
    };
  }

  /** Writes a task whose output may have changed (its input never changes once inserted). */
  putTask(t: TaskRecord): void {
    this.writeTask.run({ ...this.taskMetaParams(t), output: JSON.stringify(t.outputData) });
  }

  /** Writes a task whose payloads did not change (a claim, a lease, a time-out): they are not re-serialised. */
  putTaskMeta(t: TaskRecord): void {
    this.writeTaskMeta.run(this.taskMetaParams(t));
  }

  getTask(taskId: string): TaskRecord | null {
    const row = this.readTask.get(taskId) as TaskRow | undefined;
    return row ? parseTask(row) : null;
  }

  getPayloads(taskIds: readonly string[]): Map<string, LoadedPayload> {
    const out = new Map<string, LoadedPayload>();
    // Chunks stay under SQLite's limit on bound parameters (32,766 since 3.32).
    for (let i = 0; i < taskIds.length; i += 500) {
      const chunk = taskIds.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT task_id, status, input, output FROM tasks WHERE task_id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as Array<{ task_id: string; status: string; input: string; output: string }>;
      for (const r of rows) {
        out.set(r.task_id, {
          inputData: JSON.parse(r.input) as JsonObject,
          outputData: JSON.parse(r.output) as JsonObject,
          final: isTerminalTask(r.status),
          bytes: r.input.length + r.output.length,
        });
      }
    }
    return out;
  }

  getWorkflow(workflowId: string): StoredWorkflow | null {
    const row = this.readWorkflow.get(workflowId) as WorkflowRow | undefined;
    if (!row) return null;
    const steps: Record<string, StepState> = {};
    for (const s of this.readSteps.all(workflowId) as Array<{ ref: string; doc: string }>) steps[s.ref] = JSON.parse(s.doc) as StepState;
    return parseWorkflowRow(row, steps);
  }

  putSnapshot(id: string, def: WorkflowDef): void {
    this.insertSnapshot.run(id, JSON.stringify(def));
  }

  getSnapshot(id: string): WorkflowDef | null {
    const row = this.readSnapshot.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as WorkflowDef) : null;
  }
}
