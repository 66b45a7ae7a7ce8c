import type Database from 'better-sqlite3';
import type { SignalRecord } from '../../../domain/reactions';

export interface SignalRow {
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

export const signalOf = (r: SignalRow): SignalRecord => ({
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

export const COLUMNS = 'workflow_id, seq, signal_id, name, received_at, taken_by, consumed_at, delivered, payload';

/**
 * Signal reads and the single-statement writes on one signal (give back, consume, mark delivered),
 * each fenced in its WHERE clause on the attempt that holds the signal. Appending and taking have
 * files of their own (append-signal.ts, take-signal.ts).
 */
export class SqliteSignals {
  constructor(private readonly db: Database.Database) {}

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
