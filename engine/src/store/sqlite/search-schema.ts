import type Database from 'better-sqlite3';

/**
 * What search needs from the SQLite file, added beside the engine's own schema (schema.ts) without
 * touching its write path: generated columns over the records' top-level fields (read from `doc`
 * by SQLite itself on every write, so they can never disagree with it), indexes for the common
 * filters and sorts, and FTS5 tables for freeText kept by triggers in the writing transaction.
 *
 * The text tables are contentless (they hold the index, not a second copy of the payloads) and
 * keyed by the rowid of their record. Input is indexed when a record is inserted, output when its
 * status changes (workflows), a task's once, when it ends: that is when Baton sets them, and it
 * keeps the cost off the report path's claims and progress reports. (So a task's text is
 * searchable once it ended; a running workflow's input is searchable at once.)
 */
export function createSearchSchema(db: Database.Database): void {
  addGenerated(db, 'tasks', {
    workflow_type: `json_extract(doc, '$.workflowType')`,
    task_def_name: `json_extract(doc, '$.taskDefName')`,
    reference_name: `json_extract(doc, '$.referenceTaskName')`,
    worker_id: `json_extract(doc, '$.workerId')`,
    retry_count: `json_extract(doc, '$.retryCount')`,
    scheduled_time: `json_extract(doc, '$.scheduledTime')`,
    start_time: `json_extract(doc, '$.startTime')`,
    end_time: `json_extract(doc, '$.endTime')`,
    reason: `json_extract(doc, '$.reasonForIncompletion')`,
  });
  // Payloads have columns of their own (schema.ts): the text indexed is their JSON.
  const wfBody = (row: string): string => `coalesce(${row}.input, '') || ' ' || coalesce(${row}.output, '')`;
  const taskBody = (row: string): string => `coalesce(${row}.input, '') || ' ' || coalesce(${row}.output, '')`;
  db.exec(`
    -- The search's filters and sorts over tasks (store/sqlite/search.ts); the workflows' are in schema.ts.
    CREATE INDEX IF NOT EXISTS tasks_search_update ON tasks (update_time);
    CREATE INDEX IF NOT EXISTS tasks_search_type ON tasks (task_type, update_time);
    CREATE INDEX IF NOT EXISTS tasks_search_status ON tasks (status, update_time);

    CREATE VIRTUAL TABLE IF NOT EXISTS workflow_text USING fts5(body, content='', contentless_delete=1);
    CREATE TRIGGER IF NOT EXISTS workflow_text_insert AFTER INSERT ON workflows BEGIN
      INSERT INTO workflow_text (rowid, body) VALUES (new.rowid, ${wfBody('new')});
    END;
    CREATE TRIGGER IF NOT EXISTS workflow_text_update AFTER UPDATE OF status ON workflows WHEN old.status IS NOT new.status BEGIN
      DELETE FROM workflow_text WHERE rowid = old.rowid;
      INSERT INTO workflow_text (rowid, body) VALUES (new.rowid, ${wfBody('new')});
    END;
    CREATE TRIGGER IF NOT EXISTS workflow_text_delete AFTER DELETE ON workflows BEGIN
      DELETE FROM workflow_text WHERE rowid = old.rowid;
    END;

    CREATE VIRTUAL TABLE IF NOT EXISTS task_text USING fts5(body, content='', contentless_delete=1);
    -- A task's text is indexed once, when it ends (an attempt ends once; the decider's own steps
    -- are born ended): never on the report path's claims and progress, never deleted and re-added.
    CREATE TRIGGER IF NOT EXISTS task_text_insert AFTER INSERT ON tasks WHEN new.status NOT IN ('SCHEDULED', 'IN_PROGRESS') BEGIN
      INSERT INTO task_text (rowid, body) VALUES (new.rowid, ${taskBody('new')});
    END;
    CREATE TRIGGER IF NOT EXISTS task_text_update AFTER UPDATE OF status ON tasks
      WHEN old.status IN ('SCHEDULED', 'IN_PROGRESS') AND new.status NOT IN ('SCHEDULED', 'IN_PROGRESS') BEGIN
      INSERT INTO task_text (rowid, body) VALUES (new.rowid, ${taskBody('new')});
    END;
    CREATE TRIGGER IF NOT EXISTS task_text_delete AFTER DELETE ON tasks BEGIN
      DELETE FROM task_text WHERE rowid = old.rowid;
    END;
  `);
}

function addGenerated(db: Database.Database, table: string, columns: Record<string, string>): void {
  const have = new Set((db.prepare(`PRAGMA table_xinfo(${table})`).all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, expr] of Object.entries(columns)) {
    if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} GENERATED ALWAYS AS (${expr}) VIRTUAL`);
  }
}
