import type Database from 'better-sqlite3';
import type { SignalRecord } from '../../../domain/reactions';
import { COLUMNS, signalOf, type SignalRow } from './signals';

/**
 * Appends a signal to its workflow's inbox. Atomic: one transaction reads whether the signal id is
 * stored and the inbox's last seq, then inserts with the next one, in the one engine process that
 * owns the file: two signals never get one seq, and a signal id is stored once.
 */
export function appendSignal(db: Database.Database, s: Omit<SignalRecord, 'seq'>): { signal: SignalRecord; created: boolean } {
  return db.transaction(() => {
    const existing = db.prepare(`SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND signal_id = ?`).get(s.workflowId, s.signalId) as
      SignalRow | undefined;
    if (existing) return { signal: signalOf(existing), created: false };
    const { n } = db.prepare(`SELECT COALESCE(MAX(seq), 0) AS n FROM signals WHERE workflow_id = ?`).get(s.workflowId) as {
      n: number;
    };
    const signal: SignalRecord = { ...s, seq: n + 1 };
    db.prepare(`INSERT INTO signals (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
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
