import type Database from 'better-sqlite3';

/**
 * Takes one of a key's slots. Atomic: one transaction counts the key's holders and inserts only
 * below the limit the caller gives (a run holding one already is answered true), in the one engine
 * process that owns the file: a key never has more holders than its limit.
 */
export function flowAcquire(db: Database.Database, keyId: string, workflowId: string, limit: number): boolean {
  return db.transaction(() => {
    if (db.prepare(`SELECT 1 FROM flow_slots WHERE key_id = ? AND workflow_id = ?`).get(keyId, workflowId)) return true;
    const { n } = db.prepare(`SELECT COUNT(*) AS n FROM flow_slots WHERE key_id = ?`).get(keyId) as { n: number };
    if (n >= limit) return false;
    db.prepare(`INSERT INTO flow_slots (key_id, workflow_id) VALUES (?, ?)`).run(keyId, workflowId);
    return true;
  })();
}
