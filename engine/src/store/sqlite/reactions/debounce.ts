import type Database from 'better-sqlite3';
import type { DebounceRecord } from '../../../domain/reactions';

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
