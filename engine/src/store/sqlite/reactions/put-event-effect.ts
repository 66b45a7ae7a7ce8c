import type Database from 'better-sqlite3';
import type { EventEffect } from '../../../domain/reactions';

/**
 * Records an effect of an event. Atomic: `ifAbsent` is INSERT OR IGNORE then a read of the row
 * (one process, synchronous calls: nothing runs between the two), so the first intent written
 * stays and every later caller acts on its target; otherwise an upsert.
 */
/** `ifAbsent`: INSERT OR IGNORE then read back, so the first intent written wins. */
export function putEventEffect(db: Database.Database, effect: EventEffect, ifAbsent: boolean): EventEffect {
  const doc = JSON.stringify(effect);
  if (!ifAbsent) {
    db.prepare(
      `INSERT INTO event_effects (event_id, key, doc) VALUES (?, ?, ?) ON CONFLICT(event_id, key) DO UPDATE SET doc = excluded.doc`,
    ).run(effect.eventId, effect.key, doc);
    return effect;
  }
  db.prepare(`INSERT OR IGNORE INTO event_effects (event_id, key, doc) VALUES (?, ?, ?)`).run(effect.eventId, effect.key, doc);
  const row = db.prepare(`SELECT doc FROM event_effects WHERE event_id = ? AND key = ?`).get(effect.eventId, effect.key) as {
    doc: string;
  };
  return JSON.parse(row.doc) as EventEffect;
}
