import type Database from 'better-sqlite3';
import type { StoredWorkflow, TaskRecord } from '../../domain/records';
import type { CommitDecision } from '../port';
import type { OutboxWriter } from './listeners';
import { parseWorkflowDoc, workflowDoc, type Rows } from './rows';

/**
 * createWorkflow and commitDecision. Atomic: each is one SQLite transaction, so the new tasks, the
 * workflow's new revision, its changed steps, the applied marks and the closed tasks land
 * together. The revision check keeps the contract of the MongoDB adapter (a stale decision is
 * refused, not merged). A decision writes what changed: the workflow's small `doc`, its output or
 * variables only when they changed, the steps it changed, and targeted updates of the tasks it
 * marks or closes (json_set on their `doc`, never reading their payloads).
 */
export function createWorkflow(
  db: Database.Database,
  rows: Rows,
  wf: StoredWorkflow,
  tasks: TaskRecord[],
  writeOutbox?: () => void,
): boolean {
  return db.transaction(() => {
    // A start with a deterministic id that already happened is a no-op (failure workflows).
    if (rows.readWorkflowDoc.get(wf.workflowId)) return false;
    for (const t of tasks) rows.insertTask.run(rows.taskParams(t));
    rows.insertWorkflow.run({
      ...indexedColumns(wf),
      createTime: wf.createTime,
      revision: wf.revision,
      doc: workflowDoc(wf),
      input: JSON.stringify(wf.input),
      output: JSON.stringify(wf.output),
      variables: JSON.stringify(wf.variables),
    });
    for (const [ref, step] of Object.entries(wf.state.steps)) rows.upsertStep.run(wf.workflowId, ref, JSON.stringify(step));
    writeOutbox?.(); // listener deliveries of the start, in the same transaction (docs/alerts.md)
    return true;
  })();
}

/** The workflow fields kept in indexed columns (schema.ts), besides the id and the timer. */
const indexedFields: ReadonlySet<string> = new Set([
  'workflowName',
  'workflowVersion',
  'status',
  'correlationId',
  'priority',
  'parentWorkflowId',
  'startTime',
  'endTime',
  'reasonForIncompletion',
]);

function indexedColumns(wf: Omit<StoredWorkflow, 'input' | 'output' | 'variables' | 'state'>): Record<string, unknown> {
  return {
    workflowId: wf.workflowId,
    workflowName: wf.workflowName,
    workflowVersion: wf.workflowVersion,
    status: wf.status,
    correlationId: wf.correlationId,
    priority: wf.priority,
    parentWorkflowId: wf.parentWorkflowId,
    startTime: wf.startTime,
    updateTime: wf.updateTime,
    endTime: wf.endTime,
    reasonForIncompletion: wf.reasonForIncompletion,
    wakeAt: wf.wakeAt,
  };
}

export class SqliteCommits {
  private readonly markApplied: Database.Statement;
  private readonly markExhausted: Database.Statement;
  private readonly closeTask: Database.Statement;
  private readonly closeTaskWithOutput: Database.Statement;
  private readonly setOpenTaskOutput: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly rows: Rows,
    /** Writes a decision's listener deliveries within its transaction (docs/alerts.md). */
    private readonly outbox?: OutboxWriter,
  ) {
    this.markApplied = db.prepare(
      `UPDATE tasks SET applied = 1, doc = json_set(doc, '$.applied', json('true')) WHERE task_id = ? AND applied = 0`,
    );
    this.markExhausted = db.prepare(
      `UPDATE tasks SET exhausted = 1, doc = json_set(doc, '$.exhausted', json('true'))
       WHERE task_id = ? AND status NOT IN ('SCHEDULED', 'IN_PROGRESS')`,
    );
    // Operators may finish their own non-queued tasks; a worker's terminal report always wins.
    const close = `status = @status, update_time = @now, lease_until = 0, wake_at = 0, applied = 1,
      doc = json_set(doc, '$.status', @status, '$.reasonForIncompletion', @reason, '$.endTime', @now, '$.updateTime', @now,
        '$.leaseUntil', 0, '$.attemptToken', NULL, '$.wakeAt', 0, '$.applied', json('true'))`;
    const open = `task_id = @taskId AND status IN ('SCHEDULED', 'IN_PROGRESS')`;
    this.closeTask = db.prepare(`UPDATE tasks SET ${close} WHERE ${open}`);
    this.closeTaskWithOutput = db.prepare(`UPDATE tasks SET ${close}, output = @output WHERE ${open}`);
    this.setOpenTaskOutput = db.prepare(`UPDATE tasks SET output = ? WHERE task_id = ? AND status IN ('SCHEDULED', 'IN_PROGRESS')`);
  }

  commitDecision(d: CommitDecision): boolean {
    return this.db.transaction(() => {
      const row = this.fence(d);
      if (!row) return false;
      this.write(d, row);
      return true;
    })();
  }

  /** The workflow row, if it is still at the decision's revision (call within a transaction). */
  fence(d: Pick<CommitDecision, 'workflowId' | 'expectedRevision'>): WorkflowDocRow | null {
    const row = this.rows.readWorkflowDoc.get(d.workflowId) as WorkflowDocRow | undefined;
    return row && row.revision === d.expectedRevision ? row : null;
  }

  /** Writes a decision whose fence held (`row`, from fence), within the caller's transaction. */
  write(d: CommitDecision, row: WorkflowDocRow): void {
    const { rows } = this;
    {
      for (const t of d.newTasks) rows.insertTask.run(rows.taskParams(t));
      const fields = parseWorkflowDoc(row.doc);
      const { output, variables, ...scalars } = d.workflow;
      // Payloads first: the search's text index is refreshed when the status changes (search-schema.ts).
      if (output !== undefined) rows.writeWorkflowOutput.run(JSON.stringify(output), d.workflowId);
      if (variables !== undefined) rows.writeWorkflowVariables.run(JSON.stringify(variables), d.workflowId);
      const next = { ...fields, ...scalars, revision: row.revision + 1, meta: d.meta ?? fields.meta };
      const params = { ...indexedColumns(next), revision: next.revision, doc: JSON.stringify(next) };
      // Write the indexed columns only when one of them changes (an index update each otherwise).
      const indexed = Object.keys(scalars).some((k) => k !== 'updateTime' && k !== 'wakeAt' && indexedFields.has(k));
      if (indexed) rows.writeWorkflowAll.run(params);
      else if (scalars.wakeAt !== undefined && scalars.wakeAt !== fields.wakeAt) rows.writeWorkflowTimer.run(params);
      else rows.writeWorkflowDoc.run(params);
      if (d.steps) {
        const set = Object.entries(d.steps.set);
        // Two steps change in most decisions (the one that ended, the one scheduled): one statement.
        if (set.length === 2) {
          const [[r1, s1], [r2, s2]] = set as [[string, unknown], [string, unknown]];
          rows.upsertTwoSteps.run(d.workflowId, r1, JSON.stringify(s1), d.workflowId, r2, JSON.stringify(s2));
        } else {
          for (const [ref, step] of set) rows.upsertStep.run(d.workflowId, ref, JSON.stringify(step));
        }
        for (const ref of d.steps.unset) rows.deleteStep.run(d.workflowId, ref);
      }
      for (const id of d.appliedTaskIds) this.markApplied.run(id);
      for (const id of d.exhaustedTaskIds ?? []) this.markExhausted.run(id);
      for (const c of d.closeTasks) {
        const params = { taskId: c.taskId, status: c.status, reason: c.reason, now: d.now };
        if (c.output) this.closeTaskWithOutput.run({ ...params, output: JSON.stringify(c.output) });
        else this.closeTask.run(params);
      }
      for (const t of d.taskOutputs ?? []) this.setOpenTaskOutput.run(JSON.stringify(t.output), t.taskId);
      this.outbox?.write(d.outbox);
    }
  }
}

export interface WorkflowDocRow {
  doc: string;
  revision: number;
}
