import type Database from 'better-sqlite3';

/** The layout this code reads and writes; a file of another layout is refused, not guessed at. */
export const SCHEMA_VERSION = 2;

/**
 * Tables keep each record as JSON in `doc` plus the columns that indexes and conditional writes
 * need. Payloads have columns of their own, so that the writes that do not change them (a claim,
 * a lease, a decision) neither read nor re-serialise them: a task's `input` is written once, its
 * `output` when it changes; a workflow's input, output and variables likewise. A workflow's steps
 * (the decider's state) are rows of their own, so a decision writes the steps it changed, not the
 * whole state (docs/architecture.md, "Bounded decisions").
 *
 * The engine is the only process on the file, and better-sqlite3 runs each call synchronously, so
 * a read-check-write inside one `db.transaction` is atomic with respect to every other request.
 */
export function createSchema(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const hasTables =
    (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'workflows'`).get() as { n: number }).n > 0;
  if (hasTables && version !== SCHEMA_VERSION) {
    throw new Error(
      `the embedded store file has layout version ${version}, this engine needs ${SCHEMA_VERSION}: it was written by a development build ` +
        'of Baton that predates the first release; move it aside (or point BATON_DATA_DIR elsewhere) and start again',
    );
  }
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
    -- Definitions as runs started with them, by content hash: written once, shared by every run.
    CREATE TABLE IF NOT EXISTS definition_snapshots (
      id TEXT PRIMARY KEY,
      doc TEXT NOT NULL
    ) WITHOUT ROWID;
    -- The columns search filters and sorts on (store/sqlite/search.ts) are real columns written
    -- with the record: a decision rewrites only those that changed, so it touches only the indexes
    -- that must change (most decisions: the update time's alone).
    CREATE TABLE IF NOT EXISTS workflows (
      workflow_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      status TEXT NOT NULL,
      correlation_id TEXT,
      priority INTEGER NOT NULL,
      parent_workflow_id TEXT,
      create_time INTEGER NOT NULL,
      start_time INTEGER NOT NULL,
      update_time INTEGER NOT NULL,
      end_time INTEGER NOT NULL,
      reason TEXT,
      wake_at INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      doc TEXT NOT NULL,
      input TEXT NOT NULL,
      output TEXT NOT NULL,
      variables TEXT NOT NULL
    );
    -- Search (startTime, newest first, is its default order), and retention (end_time).
    CREATE INDEX IF NOT EXISTS workflows_by_start ON workflows (start_time);
    CREATE INDEX IF NOT EXISTS workflows_by_name ON workflows (name, start_time);
    CREATE INDEX IF NOT EXISTS workflows_by_status ON workflows (status, start_time);
    CREATE INDEX IF NOT EXISTS workflows_by_name_status ON workflows (name, status, start_time);
    CREATE INDEX IF NOT EXISTS workflows_by_update ON workflows (update_time);
    CREATE INDEX IF NOT EXISTS workflows_by_end ON workflows (end_time);
    CREATE INDEX IF NOT EXISTS workflows_by_correlation ON workflows (correlation_id, start_time);
    CREATE INDEX IF NOT EXISTS workflows_timers ON workflows (wake_at) WHERE wake_at > 0;
    CREATE TABLE IF NOT EXISTS steps (
      workflow_id TEXT NOT NULL,
      ref TEXT NOT NULL,
      doc TEXT NOT NULL,
      PRIMARY KEY (workflow_id, ref)
    ) WITHOUT ROWID;
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
      poll_deadline_at INTEGER NOT NULL,
      deadline_at INTEGER NOT NULL,
      exhausted INTEGER NOT NULL,
      doc TEXT NOT NULL,
      input TEXT NOT NULL,
      output TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tasks_by_workflow ON tasks (workflow_id, seq);
    -- The claim path: only claimable rows are in this index, in claim order.
    CREATE INDEX IF NOT EXISTS tasks_claimable ON tasks (task_type, rank) WHERE status = 'SCHEDULED' AND queued = 1;
    CREATE INDEX IF NOT EXISTS tasks_leased ON tasks (lease_until) WHERE status = 'IN_PROGRESS' AND lease_until > 0;
    CREATE INDEX IF NOT EXISTS tasks_in_progress ON tasks (task_type) WHERE status = 'IN_PROGRESS' AND queued = 1;
    CREATE INDEX IF NOT EXISTS tasks_unapplied ON tasks (update_time) WHERE applied = 0;
    CREATE INDEX IF NOT EXISTS tasks_timers ON tasks (wake_at) WHERE wake_at > 0 AND status = 'IN_PROGRESS';
    -- Each kind of deadline has an index holding only the attempts it can fire on.
    CREATE INDEX IF NOT EXISTS tasks_poll_deadlines ON tasks (poll_deadline_at) WHERE status = 'SCHEDULED' AND poll_deadline_at > 0;
    CREATE INDEX IF NOT EXISTS tasks_deadlines ON tasks (deadline_at) WHERE status IN ('SCHEDULED', 'IN_PROGRESS') AND deadline_at > 0;
    CREATE INDEX IF NOT EXISTS tasks_exhausted ON tasks (update_time) WHERE exhausted = 1;
    CREATE INDEX IF NOT EXISTS tasks_exhausted_by_type ON tasks (task_type, update_time) WHERE exhausted = 1;
    -- Per-type rate limit windows: one row per task type, the current window's claim count.
    CREATE TABLE IF NOT EXISTS rate_windows (
      task_type TEXT PRIMARY KEY,
      window_start INTEGER NOT NULL,
      taken INTEGER NOT NULL
    );
    -- Finished runs moved out of the working tables by retention (BATON_RETENTION_ARCHIVE): the
    -- run with its tasks, as gzipped JSON.
    CREATE TABLE IF NOT EXISTS archived_workflows (
      workflow_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      end_time INTEGER NOT NULL,
      archived_at INTEGER NOT NULL,
      doc BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS archived_by_archive_time ON archived_workflows (archived_at);
  `);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
