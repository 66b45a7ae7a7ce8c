import type Database from 'better-sqlite3';
import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { JsonObject, TaskDefChange } from '../../domain/records';

/**
 * Definition storage. putTaskDefs runs in one transaction, so the definitions and their change
 * records (who, when, before -> after) are written together or not at all.
 */
export class SqliteDefinitions {
  private readonly getDef: Database.Statement;
  private readonly upsertDef: Database.Statement;
  private readonly insertChange: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.getDef = db.prepare(`SELECT doc FROM task_defs WHERE name = ?`);
    this.upsertDef = db.prepare(`INSERT INTO task_defs (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc`);
    this.insertChange = db.prepare(
      `INSERT INTO task_def_changes (name, changed_at, changed_by, before_doc, after_doc) VALUES (?, ?, ?, ?, ?)`,
    );
  }

  getTaskDef(name: string): TaskDef | null {
    const row = this.getDef.get(name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as TaskDef) : null;
  }

  listTaskDefs(): TaskDef[] {
    return (this.db.prepare(`SELECT doc FROM task_defs ORDER BY name`).all() as Array<{ doc: string }>).map(
      (r) => JSON.parse(r.doc) as TaskDef,
    );
  }

  putTaskDefs(defs: TaskDef[], changedBy: string, now: number): void {
    this.db.transaction(() => {
      for (const def of defs) {
        const before = this.getDef.get(def.name) as { doc: string } | undefined;
        const after = JSON.stringify(def);
        if (before?.doc === after) continue;
        this.upsertDef.run(def.name, after);
        this.insertChange.run(def.name, now, changedBy, before?.doc ?? null, after);
      }
    })();
  }

  deleteTaskDef(name: string, changedBy: string, now: number): boolean {
    return this.db.transaction(() => {
      const before = this.getDef.get(name) as { doc: string } | undefined;
      if (!before) return false;
      this.db.prepare(`DELETE FROM task_defs WHERE name = ?`).run(name);
      this.insertChange.run(name, now, changedBy, before.doc, null);
      return true;
    })();
  }

  taskDefChanges(name: string | null, limit: number): TaskDefChange[] {
    const rows = (
      name === null
        ? this.db.prepare(`SELECT * FROM task_def_changes ORDER BY id DESC LIMIT ?`).all(limit)
        : this.db.prepare(`SELECT * FROM task_def_changes WHERE name = ? ORDER BY id DESC LIMIT ?`).all(name, limit)
    ) as Array<{ name: string; changed_at: number; changed_by: string; before_doc: string | null; after_doc: string | null }>;
    return rows.map((r) => ({
      name: r.name,
      changedAt: r.changed_at,
      changedBy: r.changed_by,
      before: r.before_doc ? (JSON.parse(r.before_doc) as JsonObject) : null,
      after: r.after_doc ? (JSON.parse(r.after_doc) as JsonObject) : null,
    }));
  }

  putWorkflowDef(def: WorkflowDef, overwrite: boolean): boolean {
    const sql = overwrite
      ? `INSERT INTO workflow_defs (name, version, doc) VALUES (?, ?, ?) ON CONFLICT(name, version) DO UPDATE SET doc = excluded.doc`
      : `INSERT OR IGNORE INTO workflow_defs (name, version, doc) VALUES (?, ?, ?)`;
    return this.db.prepare(sql).run(def.name, def.version ?? 1, JSON.stringify(def)).changes > 0;
  }

  getWorkflowDef(name: string, version?: number): WorkflowDef | null {
    const row = (
      version === undefined
        ? this.db.prepare(`SELECT doc FROM workflow_defs WHERE name = ? ORDER BY version DESC LIMIT 1`).get(name)
        : this.db.prepare(`SELECT doc FROM workflow_defs WHERE name = ? AND version = ?`).get(name, version)
    ) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as WorkflowDef) : null;
  }

  listWorkflowDefs(): WorkflowDef[] {
    return (this.db.prepare(`SELECT doc FROM workflow_defs ORDER BY name, version`).all() as Array<{ doc: string }>).map(
      (r) => JSON.parse(r.doc) as WorkflowDef,
    );
  }

  deleteWorkflowDef(name: string, version: number): boolean {
    return this.db.prepare(`DELETE FROM workflow_defs WHERE name = ? AND version = ?`).run(name, version).changes > 0;
  }
}
