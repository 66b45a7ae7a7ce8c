import type Database from 'better-sqlite3';
import type { TaskRecord, WorkflowRecord } from '../../domain/records';
import { isTerminalTask } from '../../domain/status';
import type { CommitDecision } from '../port';
import type { Rows } from './rows';

/**
 * createWorkflow and commitDecision. Atomic: each is one SQLite transaction, so the new tasks, the
 * workflow's new revision, the applied marks and the closed tasks land together. The revision
 * check keeps the contract of the MongoDB adapter (a stale decision is refused, not merged).
 */
export function createWorkflow(db: Database.Database, rows: Rows, wf: WorkflowRecord, tasks: TaskRecord[]): boolean {
  return db.transaction(() => {
    // A start with a deterministic id that already happened is a no-op (failure workflows).
    if (rows.readWorkflow.get(wf.workflowId)) return false;
    for (const t of tasks) rows.insertTask.run(rows.taskParams(t));
    rows.insertWorkflow.run({
      workflowId: wf.workflowId,
      workflowName: wf.workflowName,
      status: wf.status,
      correlationId: wf.correlationId,
      createTime: wf.createTime,
      wakeAt: wf.wakeAt,
      revision: wf.revision,
      doc: JSON.stringify(wf),
    });
    return true;
  })();
}

export function commitDecision(db: Database.Database, rows: Rows, d: CommitDecision): boolean {
  return db.transaction(() => {
    const wf = rows.getWorkflow(d.workflowId);
    if (!wf || wf.revision !== d.expectedRevision) return false;
    for (const t of d.newTasks) rows.insertTask.run(rows.taskParams(t));
    const next: WorkflowRecord = { ...wf, ...d.workflow, revision: wf.revision + 1 };
    rows.putWorkflow(next);
    const applied = new Set(d.appliedTaskIds);
    const exhausted = new Set(d.exhaustedTaskIds ?? []);
    for (const id of new Set([...applied, ...exhausted])) {
      const t = rows.getTask(id);
      if (!t) continue;
      const next = { ...t, applied: t.applied || applied.has(id), exhausted: t.exhausted || (exhausted.has(id) && isTerminalTask(t.status)) };
      if (next.applied !== t.applied || next.exhausted !== t.exhausted) rows.putTask(next);
    }
    for (const c of d.closeTasks) {
      const t = rows.getTask(c.taskId);
      if (!t) continue;
      // Operators may finish their own non-queued tasks; a worker's terminal report always wins.
      if (isTerminalTask(t.status)) continue;
      rows.putTask({
        ...t,
        status: c.status,
        reasonForIncompletion: c.reason,
        outputData: c.output ?? t.outputData,
        endTime: d.now,
        updateTime: d.now,
        leaseUntil: 0,
        attemptToken: null,
        wakeAt: 0,
        applied: true,
      });
    }
    return true;
  })();
}
