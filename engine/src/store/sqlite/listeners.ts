import type Database from 'better-sqlite3';
import type { ListenerConfigChange, ListenerConfigRecord, ListenerDelivery } from '../../domain/listeners';
import type { JsonObject } from '../../domain/records';
import type { DeliverySettlement, ListenersStore } from '../listeners-port';

/** Tables of the listeners (docs/alerts.md), created idempotently at start-up. */
export function createListenersSchema(db: Database.Database): void {
  db.exec(`
    -- The outbox: one row per status change and target, inserted by the commit that makes the change.
    CREATE TABLE IF NOT EXISTS listener_deliveries (
      delivery_id TEXT PRIMARY KEY,
      workflow_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      target TEXT NOT NULL,
      event TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL,
      lease_until INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      delivered_at INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS listener_deliveries_due ON listener_deliveries (status, next_at);
    CREATE INDEX IF NOT EXISTS listener_deliveries_order ON listener_deliveries (workflow_id, target, status, seq);
    CREATE TABLE IF NOT EXISTS listener_config (
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      doc TEXT NOT NULL,
      changed_by TEXT NOT NULL,
      update_time INTEGER NOT NULL,
      PRIMARY KEY (kind, name)
    );
    CREATE TABLE IF NOT EXISTS listener_config_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      changed_by TEXT NOT NULL,
      changed_at INTEGER NOT NULL,
      before_doc TEXT,
      after_doc TEXT
    );
  `);
}

interface DeliveryRow {
  delivery_id: string;
  workflow_id: string;
  seq: number;
  target: string;
  event: string;
  body: string;
  created_at: number;
  status: string;
  attempts: number;
  next_at: number;
  lease_until: number;
  last_error: string | null;
  delivered_at: number;
}

function toDelivery(r: DeliveryRow): ListenerDelivery {
  return {
    deliveryId: r.delivery_id,
    workflowId: r.workflow_id,
    seq: r.seq,
    target: r.target as ListenerDelivery['target'],
    event: r.event,
    body: r.body,
    createdAt: r.created_at,
    status: r.status as ListenerDelivery['status'],
    attempts: r.attempts,
    nextAt: r.next_at,
    leaseUntil: r.lease_until,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
  };
}

/**
 * Inserts a commit's outbox rows. Called inside the commit's transaction (commit-decision.ts), so
 * the rows exist exactly when the change does. INSERT OR IGNORE: ids are deterministic, a repeat is a no-op.
 */
export class OutboxWriter {
  private readonly insert: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO listener_deliveries (delivery_id, workflow_id, seq, target, event, body, created_at, status, attempts, next_at)
       VALUES (@deliveryId, @workflowId, @seq, @target, @event, @body, @createdAt, 'PENDING', 0, @nextAt)`,
    );
  }

  write(outbox: readonly ListenerDelivery[] | undefined): void {
    for (const d of outbox ?? []) this.insert.run(d);
  }
}

/**
 * Reading, leasing and settling deliveries, and the listener settings. Each write is one statement
 * on a primary key, fenced by its WHERE (a lease on status and lease time, a settlement on the
 * lease it took); better-sqlite3 runs it synchronously in the engine's only process.
 */
export class SqliteListeners implements ListenersStore {
  private readonly due: Database.Statement;

  constructor(private readonly db: Database.Database) {
    createListenersSchema(db);
    // The head of each (workflow, target): nothing PENDING with a lower seq.
    this.due = db.prepare(
      `SELECT * FROM listener_deliveries d
       WHERE d.status = 'PENDING' AND d.next_at <= @now AND d.lease_until <= @now
         AND NOT EXISTS (SELECT 1 FROM listener_deliveries e
                         WHERE e.workflow_id = d.workflow_id AND e.target = d.target AND e.status = 'PENDING' AND e.seq < d.seq)
       ORDER BY d.next_at LIMIT @limit`,
    );
  }

  async putListenerConfig(rec: ListenerConfigRecord): Promise<void> {
    this.db.transaction(() => {
      const before = this.db.prepare(`SELECT doc FROM listener_config WHERE kind = ? AND name = ?`).get(rec.kind, rec.name) as
        { doc: string } | undefined;
      this.db
        .prepare(
          `INSERT INTO listener_config (kind, name, doc, changed_by, update_time) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (kind, name) DO UPDATE SET doc = excluded.doc, changed_by = excluded.changed_by, update_time = excluded.update_time`,
        )
        .run(rec.kind, rec.name, JSON.stringify(rec.doc), rec.changedBy, rec.updateTime);
      this.recordChange(rec.kind, rec.name, rec.changedBy, rec.updateTime, before?.doc ?? null, JSON.stringify(rec.doc));
    })();
  }

  async listListenerConfig(kind: ListenerConfigRecord['kind']): Promise<ListenerConfigRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM listener_config WHERE kind = ? ORDER BY name`).all(kind) as Array<{
      kind: string;
      name: string;
      doc: string;
      changed_by: string;
      update_time: number;
    }>;
    return rows.map((r) => ({
      kind,
      name: r.name,
      doc: JSON.parse(r.doc) as JsonObject,
      changedBy: r.changed_by,
      updateTime: r.update_time,
    }));
  }

  async deleteListenerConfig(kind: ListenerConfigRecord['kind'], name: string, changedBy: string, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      const before = this.db.prepare(`SELECT doc FROM listener_config WHERE kind = ? AND name = ?`).get(kind, name) as
        { doc: string } | undefined;
      if (!before) return false;
      this.db.prepare(`DELETE FROM listener_config WHERE kind = ? AND name = ?`).run(kind, name);
      this.recordChange(kind, name, changedBy, now, before.doc, null);
      return true;
    })();
  }

  async listenerConfigChanges(kind: ListenerConfigRecord['kind'], limit: number): Promise<ListenerConfigChange[]> {
    const rows = this.db
      .prepare(`SELECT * FROM listener_config_changes WHERE kind = ? ORDER BY id DESC LIMIT ?`)
      .all(kind, limit) as Array<{
      name: string;
      changed_by: string;
      changed_at: number;
      before_doc: string | null;
      after_doc: string | null;
    }>;
    return rows.map((r) => ({
      kind,
      name: r.name,
      changedBy: r.changed_by,
      changedAt: r.changed_at,
      before: r.before_doc === null ? null : (JSON.parse(r.before_doc) as JsonObject),
      after: r.after_doc === null ? null : (JSON.parse(r.after_doc) as JsonObject),
    }));
  }

  async dueDeliveries(now: number, limit: number): Promise<ListenerDelivery[]> {
    return (this.due.all({ now, limit }) as DeliveryRow[]).map(toDelivery);
  }

  async leaseDelivery(deliveryId: string, now: number, leaseUntil: number): Promise<ListenerDelivery | null> {
    const row = this.db
      .prepare(
        `UPDATE listener_deliveries SET lease_until = ? WHERE delivery_id = ? AND status = 'PENDING' AND lease_until <= ? RETURNING *`,
      )
      .get(leaseUntil, deliveryId, now) as DeliveryRow | undefined;
    return row ? toDelivery(row) : null;
  }

  async settleDelivery(deliveryId: string, leaseUntil: number, s: DeliverySettlement): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE listener_deliveries SET status = ?, attempts = ?, next_at = ?, last_error = ?, delivered_at = ?, lease_until = 0
         WHERE delivery_id = ? AND status = 'PENDING' AND lease_until = ?`,
      )
      .run(s.status, s.attempts, s.nextAt, s.lastError, s.deliveredAt, deliveryId, leaseUntil);
    return res.changes > 0;
  }

  async listDeliveries(q: { status?: ListenerDelivery['status']; workflowId?: string; limit: number }): Promise<ListenerDelivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.workflowId) {
      where.push('workflow_id = ?');
      params.push(q.workflowId);
    }
    const sql = `SELECT * FROM listener_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, seq DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, q.limit) as DeliveryRow[]).map(toDelivery);
  }

  async pendingDeliveries(): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM listener_deliveries WHERE status = 'PENDING'`).get() as { n: number }).n;
  }

  async purgeDeliveries(before: number, limit: number): Promise<number> {
    return this.db
      .prepare(
        `DELETE FROM listener_deliveries WHERE delivery_id IN (
           SELECT delivery_id FROM listener_deliveries WHERE status != 'PENDING' AND delivered_at < ? LIMIT ?)`,
      )
      .run(before, limit).changes;
  }

  private recordChange(kind: string, name: string, by: string, at: number, before: string | null, after: string | null): void {
    this.db
      .prepare(`INSERT INTO listener_config_changes (kind, name, changed_by, changed_at, before_doc, after_doc) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(kind, name, by, at, before, after);
  }
}
