import type Database from 'better-sqlite3';
import type { SignalRecord } from '../../../domain/reactions';
import { COLUMNS, signalOf, type SignalRow } from './signals';

/**
 * The signal a WAIT_FOR_SIGNAL attempt takes. Atomic: one transaction finds the signal this attempt
 * holds and has not consumed (a redo; a restarted run's attempt has the same id and must not get
 * its predecessor's), else the oldest free one of the name, and marks it held: two attempts never
 * take one signal.
 */
export function takeSignal(db: Database.Database, workflowId: string, name: string, taskId: string): SignalRecord | null {
  return db.transaction(() => {
    const mine = db
      .prepare(
        `SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND name = ? AND taken_by = ? AND consumed_at = 0 ORDER BY seq LIMIT 1`,
      )
      .get(workflowId, name, taskId) as SignalRow | undefined;
    if (mine) return signalOf(mine);
    const free = db
      .prepare(`SELECT ${COLUMNS} FROM signals WHERE workflow_id = ? AND name = ? AND taken_by IS NULL ORDER BY seq LIMIT 1`)
      .get(workflowId, name) as SignalRow | undefined;
    if (!free) return null;
    db.prepare(`UPDATE signals SET taken_by = ? WHERE workflow_id = ? AND seq = ?`).run(taskId, workflowId, free.seq);
    return signalOf({ ...free, taken_by: taskId });
  })();
}
