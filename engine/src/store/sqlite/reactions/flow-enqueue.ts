import type Database from 'better-sqlite3';
import type { FlowWaiting } from '../../../domain/reactions';
import { waitingOf, type WaitingRow } from './flow';

/**
 * Puts a run at the end of a key's queue. Atomic: one transaction reads whether the run is queued
 * and the key's last seq, then inserts with the next one: a run is queued once, two runs never
 * share a place.
 */
export function flowEnqueue(db: Database.Database, keyId: string, workflowId: string, now: number): FlowWaiting {
  return db.transaction(() => {
    const existing = db.prepare(`SELECT * FROM flow_waiting WHERE workflow_id = ? AND key_id = ?`).get(workflowId, keyId) as
      WaitingRow | undefined;
    if (existing) return waitingOf(existing);
    const { n } = db.prepare(`SELECT COALESCE(MAX(seq), 0) AS n FROM flow_waiting WHERE key_id = ?`).get(keyId) as { n: number };
    const w: FlowWaiting = { keyId, workflowId, seq: n + 1, enqueuedAt: now };
    db.prepare(`INSERT INTO flow_waiting (key_id, seq, workflow_id, enqueued_at) VALUES (?, ?, ?, ?)`).run(keyId, w.seq, workflowId, now);
    return w;
  })();
}
