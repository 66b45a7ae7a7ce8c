import type Database from 'better-sqlite3';

/**
 * Retention of what reacted to the world: processed events with their effects, consumed signals
 * and schedule executions older than `before`. One transaction per call, bounded by `limit` rows
 * of each kind, so a crash leaves every event either whole or gone.
 */
export function purgeReactions(db: Database.Database, before: number, limit: number): number {
  return db.transaction(() => {
    const events = db
      .prepare(`SELECT event_id FROM events WHERE status = 'PROCESSED' AND published_at < ? ORDER BY published_at LIMIT ?`)
      .all(before, limit) as Array<{ event_id: string }>;
    for (const e of events) {
      db.prepare(`DELETE FROM event_effects WHERE event_id = ?`).run(e.event_id);
      db.prepare(`DELETE FROM events WHERE event_id = ?`).run(e.event_id);
    }
    const signals = db
      .prepare(
        `DELETE FROM signals WHERE rowid IN (SELECT rowid FROM signals WHERE consumed_at > 0 AND consumed_at < ? ORDER BY consumed_at LIMIT ?)`,
      )
      .run(before, limit).changes;
    const executions = db
      .prepare(
        `DELETE FROM schedule_executions WHERE execution_id IN
         (SELECT execution_id FROM schedule_executions WHERE scheduled_time < ? ORDER BY scheduled_time LIMIT ?)`,
      )
      .run(before, limit).changes;
    return events.length + signals + executions;
  })();
}
