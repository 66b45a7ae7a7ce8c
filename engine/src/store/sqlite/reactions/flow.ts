import type Database from 'better-sqlite3';
import type { FlowWaiting } from '../../../domain/reactions';

export interface WaitingRow {
  key_id: string;
  seq: number;
  workflow_id: string;
  enqueued_at: number;
}
export const waitingOf = (r: WaitingRow): FlowWaiting => ({
  keyId: r.key_id,
  seq: r.seq,
  workflowId: r.workflow_id,
  enqueuedAt: r.enqueued_at,
});

/**
 * Per-key flow control (runtime/reactions/flow/): reads, and the single-statement writes (leave a
 * queue, give a slot back). Queueing and taking a slot have files of their own (flow-enqueue.ts,
 * flow-acquire.ts).
 */
export class SqliteFlow {
  constructor(private readonly db: Database.Database) {}

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
}
