import type Database from 'better-sqlite3';

/**
 * Takes a PENDING event for processing. Atomic: one UPDATE whose WHERE clause is the lease the
 * caller saw (and PENDING), in the one engine process that owns the file; of two takers, one
 * changes the row.
 */
/** The lease moves only if it is still the one the caller saw, and the event is still PENDING. */
export function leaseEvent(db: Database.Database, eventId: string, expected: number, leaseUntil: number): boolean {
  return (
    db
      .prepare(
        `UPDATE events SET lease_until = @leaseUntil, doc = json_set(doc, '$.leaseUntil', @leaseUntil)
         WHERE event_id = @eventId AND status = 'PENDING' AND lease_until = @expected`,
      )
      .run({ eventId, expected, leaseUntil }).changes > 0
  );
}
