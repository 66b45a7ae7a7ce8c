import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { StoredWorkflow, TaskRecord } from '../../domain/records';
import type { ArchivedWorkflow } from '../port';
import { parseTask, TASK_COLUMNS, type Rows, type TaskRow } from './rows';

/**
 * Retention of finished runs (runtime/retention.ts drives it). Atomic per batch: one transaction
 * archives (when asked) and deletes each run with its steps and tasks, so a crash leaves every
 * run either whole in the working tables or whole in the archive. Runs still owing a failure
 * workflow (wake_at > 0) are kept until it started.
 */
export class SqliteRetention {
  private readonly ended: Database.Statement;
  private readonly tasksOf: Database.Statement;
  private readonly archive: Database.Statement;
  private readonly deletes: Database.Statement[];
  private readonly readArchived: Database.Statement;
  private readonly oldArchived: Database.Statement;
  private readonly deleteArchived: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly rows: Rows,
  ) {
    this.ended = db.prepare(
      `SELECT workflow_id FROM workflows WHERE end_time > 0 AND end_time < ? AND wake_at = 0
       AND status IN ('COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED') ORDER BY end_time LIMIT ?`,
    );
    this.tasksOf = db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE workflow_id = ? ORDER BY seq`);
    this.archive = db.prepare(
      `INSERT OR REPLACE INTO archived_workflows (workflow_id, name, end_time, archived_at, doc) VALUES (?, ?, ?, ?, ?)`,
    );
    this.deletes = ['tasks', 'steps', 'workflows'].map((t) => db.prepare(`DELETE FROM ${t} WHERE workflow_id = ?`));
    this.readArchived = db.prepare(`SELECT doc, archived_at FROM archived_workflows WHERE workflow_id = ?`);
    this.oldArchived = db.prepare(`SELECT workflow_id FROM archived_workflows WHERE archived_at < ? ORDER BY archived_at LIMIT ?`);
    this.deleteArchived = db.prepare(`DELETE FROM archived_workflows WHERE workflow_id = ?`);
  }

  purgeEnded(endedBefore: number, limit: number, archive: boolean, now: number): number {
    return this.db.transaction(() => {
      const ids = (this.ended.all(endedBefore, limit) as Array<{ workflow_id: string }>).map((r) => r.workflow_id);
      for (const id of ids) {
        if (archive) {
          const workflow = this.rows.getWorkflow(id) as StoredWorkflow;
          const tasks = (this.tasksOf.all(id) as TaskRow[]).map(parseTask);
          this.archive.run(id, workflow.workflowName, workflow.endTime, now, gzipSync(JSON.stringify({ workflow, tasks })));
        }
        for (const d of this.deletes) d.run(id);
      }
      return ids.length;
    })();
  }

  getArchived(workflowId: string): ArchivedWorkflow | null {
    const row = this.readArchived.get(workflowId) as { doc: Buffer; archived_at: number } | undefined;
    if (!row) return null;
    const { workflow, tasks } = JSON.parse(gunzipSync(row.doc).toString('utf8')) as { workflow: StoredWorkflow; tasks: TaskRecord[] };
    return { workflow, tasks, archivedAt: row.archived_at };
  }

  purgeArchive(before: number, limit: number): number {
    return this.db.transaction(() => {
      const ids = (this.oldArchived.all(before, limit) as Array<{ workflow_id: string }>).map((r) => r.workflow_id);
      for (const id of ids) this.deleteArchived.run(id);
      return ids.length;
    })();
  }
}
