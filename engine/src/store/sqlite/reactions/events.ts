import type Database from 'better-sqlite3';
import type { EventEffect, EventHandlerRecord, EventRecord, WaitRecord } from '../../../domain/reactions';

/**
 * Events, their effects, handlers and waits. Each write is one statement on a primary key, so
 * atomic in the one engine process that owns the file: an insert that must not replace uses
 * INSERT OR IGNORE, a conditional write puts its condition in the WHERE clause.
 */
export class SqliteEvents {
  constructor(private readonly db: Database.Database) {}

  insertEvent(e: EventRecord): boolean {
    return (
      this.db
        .prepare(`INSERT OR IGNORE INTO events (event_id, name, published_at, status, lease_until, doc) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(e.eventId, e.name, e.publishedAt, e.status, e.leaseUntil, JSON.stringify(e)).changes > 0
    );
  }

  getEvent(eventId: string): EventRecord | null {
    const row = this.db.prepare(`SELECT doc FROM events WHERE event_id = ?`).get(eventId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as EventRecord) : null;
  }

  listEvents(name: string | null, limit: number): EventRecord[] {
    const rows = (
      name === null
        ? this.db.prepare(`SELECT doc FROM events ORDER BY published_at DESC, event_id DESC LIMIT ?`).all(limit)
        : this.db.prepare(`SELECT doc FROM events WHERE name = ? ORDER BY published_at DESC, event_id DESC LIMIT ?`).all(name, limit)
    ) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as EventRecord);
  }

  eventsSince(name: string, since: number, limit: number): EventRecord[] {
    const rows = this.db
      .prepare(`SELECT doc FROM events WHERE name = ? AND published_at >= ? ORDER BY published_at, event_id LIMIT ?`)
      .all(name, since, limit) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as EventRecord);
  }

  dueEvents(now: number, limit: number): EventRecord[] {
    const rows = this.db
      .prepare(`SELECT doc FROM events WHERE status = 'PENDING' AND lease_until <= ? ORDER BY lease_until LIMIT ?`)
      .all(now, limit) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as EventRecord);
  }

  finishEvent(eventId: string, now: number): void {
    this.db
      .prepare(
        `UPDATE events SET status = 'PROCESSED', lease_until = 0,
         doc = json_set(doc, '$.status', 'PROCESSED', '$.leaseUntil', 0, '$.processedAt', @now) WHERE event_id = @eventId AND status = 'PENDING'`,
      )
      .run({ eventId, now });
  }

  eventEffects(eventIds: readonly string[]): EventEffect[] {
    if (eventIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT doc FROM event_effects WHERE event_id IN (${eventIds.map(() => '?').join(',')}) ORDER BY event_id, key`)
      .all(...eventIds) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as EventEffect);
  }

  putEventHandler(h: EventHandlerRecord, mode: 'create' | 'update'): boolean {
    const sql =
      mode === 'create'
        ? `INSERT OR IGNORE INTO event_handlers (name, event, doc) VALUES (@name, @event, @doc)`
        : `UPDATE event_handlers SET event = @event, doc = @doc WHERE name = @name`;
    return this.db.prepare(sql).run({ name: h.name, event: h.event, doc: JSON.stringify(h) }).changes > 0;
  }

  deleteEventHandler(name: string): boolean {
    return this.db.prepare(`DELETE FROM event_handlers WHERE name = ?`).run(name).changes > 0;
  }

  listEventHandlers(event: string | null): EventHandlerRecord[] {
    const rows = (
      event === null
        ? this.db.prepare(`SELECT doc FROM event_handlers ORDER BY name`).all()
        : this.db.prepare(`SELECT doc FROM event_handlers WHERE event = ? ORDER BY name`).all(event)
    ) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as EventHandlerRecord);
  }

  putWait(w: WaitRecord): void {
    this.db
      .prepare(
        `INSERT INTO waits (task_id, workflow_id, kind, name, since) VALUES (@taskId, @workflowId, @kind, @name, @since)
         ON CONFLICT(task_id) DO UPDATE SET workflow_id = excluded.workflow_id, kind = excluded.kind, name = excluded.name, since = excluded.since`,
      )
      .run(w);
  }

  deleteWait(taskId: string): void {
    this.db.prepare(`DELETE FROM waits WHERE task_id = ?`).run(taskId);
  }

  eventWaits(name: string, afterTaskId: string, limit: number): WaitRecord[] {
    return (
      this.db
        .prepare(
          `SELECT task_id, workflow_id, kind, name, since FROM waits WHERE kind = 'event' AND name = ? AND task_id > ? ORDER BY task_id LIMIT ?`,
        )
        .all(name, afterTaskId, limit) as WaitRow[]
    ).map(waitOf);
  }

  signalWaits(workflowId: string, name: string): WaitRecord[] {
    return (
      this.db
        .prepare(
          `SELECT task_id, workflow_id, kind, name, since FROM waits WHERE workflow_id = ? AND kind = 'signal' AND name = ? ORDER BY since, task_id`,
        )
        .all(workflowId, name) as WaitRow[]
    ).map(waitOf);
  }
}

interface WaitRow {
  task_id: string;
  workflow_id: string;
  kind: 'event' | 'signal';
  name: string;
  since: number;
}

const waitOf = (r: WaitRow): WaitRecord => ({ taskId: r.task_id, workflowId: r.workflow_id, kind: r.kind, name: r.name, since: r.since });
