import type Database from 'better-sqlite3';

/**
 * Tables of what reacts to the world (store/reactions-port.ts), created idempotently at start-up.
 * New tables only: the file's layout version (schema.ts) is unchanged, and a file written before
 * them gets them on its next start. Records are JSON in `doc` plus the columns that indexes and
 * conditional writes need, as in the other tables.
 */
export function createReactionsSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      event_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      published_at INTEGER NOT NULL,
      status TEXT NOT NULL,
      lease_until INTEGER NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS events_by_name ON events (name, published_at);
    CREATE INDEX IF NOT EXISTS events_by_time ON events (published_at);
    CREATE INDEX IF NOT EXISTS events_pending ON events (lease_until) WHERE status = 'PENDING';
    CREATE TABLE IF NOT EXISTS event_effects (
      event_id TEXT NOT NULL,
      key TEXT NOT NULL,
      doc TEXT NOT NULL,
      PRIMARY KEY (event_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS event_handlers (
      name TEXT PRIMARY KEY,
      event TEXT NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS event_handlers_by_event ON event_handlers (event, name);
    CREATE TABLE IF NOT EXISTS waits (
      task_id TEXT PRIMARY KEY,
      workflow_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      since INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS waits_by_name ON waits (kind, name, task_id);
    CREATE INDEX IF NOT EXISTS waits_by_workflow ON waits (workflow_id, kind, name);
    CREATE TABLE IF NOT EXISTS signals (
      workflow_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      signal_id TEXT NOT NULL,
      name TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      taken_by TEXT,
      consumed_at INTEGER NOT NULL,
      delivered INTEGER NOT NULL,
      payload TEXT NOT NULL,
      PRIMARY KEY (workflow_id, seq)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS signals_by_id ON signals (workflow_id, signal_id);
    CREATE INDEX IF NOT EXISTS signals_free ON signals (workflow_id, name, seq) WHERE taken_by IS NULL;
    CREATE INDEX IF NOT EXISTS signals_taken ON signals (workflow_id, name) WHERE taken_by IS NOT NULL AND consumed_at = 0;
    CREATE INDEX IF NOT EXISTS signals_undelivered ON signals (received_at) WHERE delivered = 0;
    CREATE INDEX IF NOT EXISTS signals_consumed ON signals (consumed_at) WHERE consumed_at > 0;
    CREATE TABLE IF NOT EXISTS schedules (
      name TEXT PRIMARY KEY,
      workflow_name TEXT NOT NULL,
      paused INTEGER NOT NULL,
      next_run_time INTEGER NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS schedules_due ON schedules (next_run_time) WHERE paused = 0 AND next_run_time > 0;
    CREATE TABLE IF NOT EXISTS schedule_executions (
      execution_id TEXT PRIMARY KEY,
      schedule_name TEXT NOT NULL,
      workflow_name TEXT NOT NULL,
      state TEXT NOT NULL,
      scheduled_time INTEGER NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS schedule_executions_by_time ON schedule_executions (scheduled_time);
    CREATE INDEX IF NOT EXISTS schedule_executions_by_schedule ON schedule_executions (schedule_name, scheduled_time);
    CREATE TABLE IF NOT EXISTS flow_waiting (
      key_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      workflow_id TEXT NOT NULL,
      enqueued_at INTEGER NOT NULL,
      PRIMARY KEY (key_id, seq)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS flow_waiting_by_run ON flow_waiting (workflow_id, key_id);
    CREATE TABLE IF NOT EXISTS flow_slots (
      key_id TEXT NOT NULL,
      workflow_id TEXT NOT NULL,
      PRIMARY KEY (key_id, workflow_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS flow_slots_by_run ON flow_slots (workflow_id);
    CREATE TABLE IF NOT EXISTS debounces (
      key_id TEXT PRIMARY KEY,
      workflow_id TEXT NOT NULL,
      due_at INTEGER NOT NULL,
      fired INTEGER NOT NULL,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS debounces_due ON debounces (due_at);
  `);
}
