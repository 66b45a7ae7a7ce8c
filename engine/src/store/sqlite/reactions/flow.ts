import type Database from 'better-sqlite3';
import type { DebounceRecord, FlowWaiting } from '../../../domain/reactions';

interface WaitingRow {
  key_id: string;
  seq: number;
  workflow_id: string;
  enqueued_at: number;
}
const waitingOf = (r: WaitingRow): FlowWaiting => ({ keyId: r.key_id, seq: r.seq, workflowId: r.workflow_id, enqueuedAt: r.enqueued_at });

/**
 * Per-key flow control (runtime/reactions/flow/). flowEnqueue and flowAcquire are one transaction
 * each (read, then write what the read allows), atomic in the one engine process that owns the
 * file: a run is queued once and gets the next seq of its key; a key never has more holders than
 * the limit the caller gives. The other writes are single statements.
 */
export class SqliteFlow {
  constructor(private readonly db: Database.Database) {}

  flowEnqueue(keyId: string, workflowId: string, now: number): FlowWaiting {
    return this.db.transaction(() => {
      const existing = this.db.prepare(`SELECT * FROM flow_waiting WHERE workflow_id = ? AND key_id = ?`).get(workflowId, keyId) as
        WaitingRow | undefined;
      if (existing) return waitingOf(existing);
      const { n } = this.db.prepare(`SELECT COALESCE(MAX(seq), 0) AS n FROM flow_waiting WHERE key_id = ?`).get(keyId) as { n: number };
      const w: FlowWaiting = { keyId, workflowId, seq: n + 1, enqueuedAt: now };
      this.db
        .prepare(`INSERT INTO flow_waiting (key_id, seq, workflow_id, enqueued_at) VALUES (?, ?, ?, ?)`)
        .run(keyId, w.seq, workflowId, now);
      return w;
    })();
  }

  flowDequeue(keyId: string, workflowId: string): void {
    this.db.prepare(`DELETE FROM flow_waiting WHERE workflow_id = ? AND key_id = ?`).run(workflowId, keyId);
  }

  flowQueue(keyId: string, limit: number): FlowWaiting[] {
    return (this.db.prepare(`SELECT * FROM flow_waiting WHERE key_id = ? ORDER BY seq LIMIT ?`).all(keyId, limit) as WaitingRow[]).map(
      waitingOf,
    );
  }

  flowQueuePosition(keyId: string, seq: number): { ahead: number; total: number } {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN seq < ? THEN 1 ELSE 0 END), 0) AS ahead FROM flow_waiting WHERE key_id = ?`,
      )
      .get(seq, keyId) as { total: number; ahead: number };
    return { ahead: row.ahead, total: row.total };
  }

  flowKeysWaiting(afterKeyId: string, limit: number): string[] {
    return (
      this.db.prepare(`SELECT DISTINCT key_id FROM flow_waiting WHERE key_id > ? ORDER BY key_id LIMIT ?`).all(afterKeyId, limit) as Array<{
        key_id: string;
      }>
    ).map((r) => r.key_id);
  }

  flowWaitsOf(workflowId: string): FlowWaiting[] {
    return (this.db.prepare(`SELECT * FROM flow_waiting WHERE workflow_id = ?`).all(workflowId) as WaitingRow[]).map(waitingOf);
  }

  flowAcquire(keyId: string, workflowId: string, limit: number): boolean {
    return this.db.transaction(() => {
      if (this.db.prepare(`SELECT 1 FROM flow_slots WHERE key_id = ? AND workflow_id = ?`).get(keyId, workflowId)) return true;
      const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM flow_slots WHERE key_id = ?`).get(keyId) as { n: number };
      if (n >= limit) return false;
      this.db.prepare(`INSERT INTO flow_slots (key_id, workflow_id) VALUES (?, ?)`).run(keyId, workflowId);
      return true;
    })();
  }

  flowRelease(keyId: string, workflowId: string): void {
    this.db.prepare(`DELETE FROM flow_slots WHERE key_id = ? AND workflow_id = ?`).run(keyId, workflowId);
  }

  flowHolders(keyId: string): string[] {
    return (
      this.db.prepare(`SELECT workflow_id FROM flow_slots WHERE key_id = ? ORDER BY workflow_id`).all(keyId) as Array<{
        workflow_id: string;
      }>
    ).map((r) => r.workflow_id);
  }

  flowHeldBy(workflowId: string): string[] {
    return (
      this.db.prepare(`SELECT key_id FROM flow_slots WHERE workflow_id = ? ORDER BY key_id`).all(workflowId) as Array<{ key_id: string }>
    ).map((r) => r.key_id);
  }

  /** Only while the run is held: its flowWait is in the workflow row's doc. */
  setHeldInput(workflowId: string, input: DebounceRecord['input'], now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE workflows SET input = @input, doc = json_set(doc, '$.updateTime', @now)
           WHERE workflow_id = @workflowId AND json_type(doc, '$.flowWait') = 'object'`,
        )
        .run({ workflowId, input: JSON.stringify(input), now }).changes > 0
    );
  }
}

interface DebounceRow {
  doc: string;
}
const debounceOf = (r: DebounceRow): DebounceRecord => JSON.parse(r.doc) as DebounceRecord;

/**
 * Debounces, one row per key. Each write is one conditional statement (or a transaction reading
 * the row it writes), atomic in the engine's process: a fold lands only on a debounce still open
 * (due after now), a fire only on one that is due, and an open only where the key has none, so a
 * start either folds into the open debounce or begins the next one, never both.
 */
export class SqliteDebounces {
  constructor(private readonly db: Database.Database) {}

  fold(keyId: string, input: DebounceRecord['input'], dueAt: number, now: number): DebounceRecord | null {
    return this.db.transaction(() => {
      const row = this.db.prepare(`SELECT doc FROM debounces WHERE key_id = ? AND fired = 0 AND due_at > ?`).get(keyId, now) as
        DebounceRow | undefined;
      if (!row) return null;
      const next: DebounceRecord = { ...debounceOf(row), input, dueAt };
      this.db.prepare(`UPDATE debounces SET due_at = ?, doc = ? WHERE key_id = ?`).run(dueAt, JSON.stringify(next), keyId);
      return next;
    })();
  }

  open(d: DebounceRecord): boolean {
    return (
      this.db
        .prepare(`INSERT OR IGNORE INTO debounces (key_id, workflow_id, due_at, fired, doc) VALUES (?, ?, ?, ?, ?)`)
        .run(d.keyId, d.workflowId, d.dueAt, d.fired ? 1 : 0, JSON.stringify(d)).changes > 0
    );
  }

  fire(keyId: string, workflowId: string, now: number): DebounceRecord | null {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT doc FROM debounces WHERE key_id = ? AND workflow_id = ? AND (fired = 1 OR due_at <= ?)`)
        .get(keyId, workflowId, now) as DebounceRow | undefined;
      if (!row) return null;
      const next: DebounceRecord = { ...debounceOf(row), fired: true };
      this.db.prepare(`UPDATE debounces SET fired = 1, doc = ? WHERE key_id = ?`).run(JSON.stringify(next), keyId);
      return next;
    })();
  }

  close(keyId: string, workflowId: string): void {
    this.db.prepare(`DELETE FROM debounces WHERE key_id = ? AND workflow_id = ? AND fired = 1`).run(keyId, workflowId);
  }

  get(keyId: string): DebounceRecord | null {
    const row = this.db.prepare(`SELECT doc FROM debounces WHERE key_id = ?`).get(keyId) as DebounceRow | undefined;
    return row ? debounceOf(row) : null;
  }

  due(now: number, limit: number): DebounceRecord[] {
    return (
      this.db.prepare(`SELECT doc FROM debounces WHERE due_at <= ? OR fired = 1 ORDER BY due_at LIMIT ?`).all(now, limit) as DebounceRow[]
    ).map(debounceOf);
  }
}
