import type Database from 'better-sqlite3';
import type { SignalRecord } from '../../../domain/reactions';

interface SignalRow {
  workflow_id: string;
  seq: number;
  signal_id: string;
  name: string;
  received_at: number;
  taken_by: string | null;
  consumed_at: number;
  delivered: number;
  payload: string;
}

const signalOf = (r: SignalRow): SignalRecord => ({
  signalId: r.signal_id,
  workflowId: r.workflow_id,
  name: r.name,
  payload: JSON.parse(r.payload) as unknown,
  seq: r.seq,
  receivedAt: r.received_at,
  takenBy: r.taken_by,
  consumedAt: r.consumed_at,
  delivered: r.delivered === 1,
});

const COLUMNS = 'workflow_id, seq, signal_id, name, received_at, taken_by, consumed_at, delivered, payload';

/**
 * Workflow signal inboxes. appendSignal and takeSignal are one transaction each (read, then
 * write what the read allows), atomic in the one engine process that owns the file: two signals
 * never get one seq, a signal id is stored once, and two attempts never take one signal. The
 * other writes are single conditional statements.
 */
export class SqliteSignals {
  constructor(private readonly db: Database.Database) {}

  appendSignal(s: Omit<SignalRecord, 'seq'>): { signal: SignalRecord; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.db
        .prepare(`SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND signal_id = ?`)
        .get(s.workflowId, s.signalId) as SignalRow | undefined;
      if (existing) return { signal: signalOf(existing), created: false };
      const { n } = this.db.prepare(`SELECT COALESCE(MAX(seq), 0) AS n FROM signals WHERE workflow_id = ?`).get(s.workflowId) as {
        n: number;
      };
      const signal: SignalRecord = { ...s, seq: n + 1 };
      this.db
        .prepare(`INSERT INTO signals (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
          s.workflowId,
          signal.seq,
          s.signalId,
          s.name,
          s.receivedAt,
          s.takenBy,
          s.consumedAt,
          s.delivered ? 1 : 0,
          JSON.stringify(s.payload ?? null),
        );
      return { signal, created: true };
    })();
  }

  takeSignal(workflowId: string, name: string, taskId: string): SignalRecord | null {
    return this.db.transaction(() => {
      const mine = this.db
        .prepare(`SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND name = ? AND taken_by = ? AND consumed_at = 0 ORDER BY seq LIMIT 1`)
        .get(workflowId, name, taskId) as SignalRow | undefined;
      if (mine) return signalOf(mine);
      const free = this.db
        .prepare(`SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND name = ? AND taken_by IS NULL ORDER BY seq LIMIT 1`)
        .get(workflowId, name) as SignalRow | undefined;
      if (!free) return null;
      this.db.prepare(`UPDATE signals SET taken_by = ? WHERE workflow_id = ? AND seq = ?`).run(taskId, workflowId, free.seq);
      return signalOf({ ...free, taken_by: taskId });
    })();
  }

  releaseSignal(signalId: string, workflowId: string, taskId: string): boolean {
    return (
      this.db
        .prepare(`UPDATE signals SET taken_by = NULL WHERE workflow_id = ? AND signal_id = ? AND taken_by = ? AND consumed_at = 0`)
        .run(workflowId, signalId, taskId).changes > 0
    );
  }

  consumeSignal(signalId: string, workflowId: string, taskId: string, now: number): void {
    this.db
      .prepare(
        `UPDATE signals SET consumed_at = ?, delivered = 1 WHERE workflow_id = ? AND signal_id = ? AND taken_by = ? AND consumed_at = 0`,
      )
      .run(now, workflowId, signalId, taskId);
  }

  markSignalDelivered(signalId: string, workflowId: string): void {
    this.db.prepare(`UPDATE signals SET delivered = 1 WHERE workflow_id = ? AND signal_id = ?`).run(workflowId, signalId);
  }

  takenSignals(workflowId: string, name: string): SignalRecord[] {
    return (
      this.db
        .prepare(
          `SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND name = ? AND taken_by IS NOT NULL AND consumed_at = 0 ORDER BY seq`,
        )
        .all(workflowId, name) as SignalRow[]
    ).map(signalOf);
  }

  listSignals(workflowId: string, limit: number): SignalRecord[] {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? ORDER BY seq LIMIT ?`).all(workflowId, limit) as SignalRow[]
    ).map(signalOf);
  }

  undeliveredSignals(before: number, limit: number): SignalRecord[] {
    return (
      this.db
        .prepare(`SELECT ${COLUMNS} FROM signals WHERE delivered = 0 AND received_at < ? ORDER BY received_at LIMIT ?`)
        .all(before, limit) as SignalRow[]
    ).map(signalOf);
  }
}
