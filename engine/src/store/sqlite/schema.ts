import type Database from 'better-sqlite3';

/**
 * Tables keep the full record as JSON in `doc` plus the columns that indexes and conditional
 * writes need. The engine is the only process on the file, and better-sqlite3 runs each call
 * synchronously, so a read-check-write inside one `db.transaction` is atomic with respect to
 * every other request of the engine.
 */
export function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS task_defs (
      name TEXT PRIMARY KEY,
      doc TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS task_def_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      changed_at INTEGER NOT NULL,
      changed_by TEXT NOT NULL,
      before_doc TEXT,
      after_doc TEXT
    );
    CREATE INDEX IF NOT EXISTS task_def_changes_by_name ON task_def_changes (name, id);
    CREATE TABLE IF NOT EXISTS workflow_defs (
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      doc TEXT NOT NULL,
      PRIMARY KEY (name, version)
    );
    CREATE TABLE IF NOT EXISTS workflows (
      workflow_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      status TEXT NOT NULL,
      correlation_id TEXT,
      create_time INTEGER NOT NULL,
      wake_at INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS workflows_by_time ON workflows (create_time);
    CREATE INDEX IF NOT EXISTS workflows_by_name ON workflows (name, create_time);
    CREATE INDEX IF NOT EXISTS workflows_by_correlation ON workflows (correlation_id) WHERE correlation_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS workflows_timers ON workflows (wake_at) WHERE wake_at > 0;
    CREATE TABLE IF NOT EXISTS tasks (
      task_id TEXT PRIMARY KEY,
      workflow_id TEXT NOT NULL,
      task_type TEXT NOT NULL,
      status TEXT NOT NULL,
      queued INTEGER NOT NULL,
      visible_at INTEGER NOT NULL,
      rank INTEGER NOT NULL,
      lease_until INTEGER NOT NULL,
      wake_at INTEGER NOT NULL,
      applied INTEGER NOT NULL,
      update_time INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tasks_by_workflow ON tasks (workflow_id, seq);
    -- The claim path: only claimable rows are in this index, in claim order.
    CREATE INDEX IF NOT EXISTS tasks_claimable ON tasks (task_type, rank) WHERE status = 'SCHEDULED' AND queued = 1;
    CREATE INDEX IF NOT EXISTS tasks_leased ON tasks (lease_until) WHERE status = 'IN_PROGRESS' AND lease_until > 0;
    CREATE INDEX IF NOT EXISTS tasks_in_progress ON tasks (task_type) WHERE status = 'IN_PROGRESS' AND queued = 1;
    CREATE INDEX IF NOT EXISTS tasks_unapplied ON tasks (update_time) WHERE applied = 0;
    CREATE INDEX IF NOT EXISTS tasks_timers ON tasks (wake_at) WHERE wake_at > 0 AND status = 'IN_PROGRESS';
    DROP INDEX IF EXISTS tasks_failed;
    -- Per-type rate limit windows: one row per task type, the current window's claim count.
    CREATE TABLE IF NOT EXISTS rate_windows (
      task_type TEXT PRIMARY KEY,
      window_start INTEGER NOT NULL,
      taken INTEGER NOT NULL
    );
  `);
  addTaskColumns(db);
  db.exec(`
    -- Each kind of deadline has an index holding only the attempts it can fire on.
    CREATE INDEX IF NOT EXISTS tasks_poll_deadlines ON tasks (poll_deadline_at) WHERE status = 'SCHEDULED' AND poll_deadline_at > 0;
    CREATE INDEX IF NOT EXISTS tasks_deadlines ON tasks (deadline_at) WHERE status IN ('SCHEDULED', 'IN_PROGRESS') AND deadline_at > 0;
    CREATE INDEX IF NOT EXISTS tasks_exhausted ON tasks (update_time) WHERE exhausted = 1;
    CREATE INDEX IF NOT EXISTS tasks_exhausted_by_type ON tasks (task_type, update_time) WHERE exhausted = 1;
  `);
}

/** Columns added after the first release: added in place to existing files (values from `doc` default to 0). */
function addTaskColumns(db: Database.Database): void {
  const have = new Set((db.prepare(`PRAGMA table_info(tasks)`).all() as Array<{ name: string }>).map((c) => c.name));
  for (const col of ['poll_deadline_at', 'deadline_at', 'exhausted']) {
    if (!have.has(col)) db.exec(`ALTER TABLE tasks ADD COLUMN ${col} INTEGER NOT NULL DEFAULT 0`);
  }
}
