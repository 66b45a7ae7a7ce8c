import type Database from 'better-sqlite3';

/**
 * Moves a schedule's next due time. Atomic: one UPDATE whose WHERE clause is the due time the
 * caller fired (a compare-and-set): of two callers, one changes the row and the other finds nothing
 * to change, so each due time is passed once.
 */
export function advanceSchedule(db: Database.Database, name: string, expected: number, next: number): boolean {
  return (
    db
      .prepare(
        `UPDATE schedules SET next_run_time = @next, doc = json_set(doc, '$.nextRunTime', @next)
         WHERE name = @name AND next_run_time = @expected`,
      )
      .run({ name, expected, next }).changes > 0
  );
}
