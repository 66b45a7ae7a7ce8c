import type Database from 'better-sqlite3';

/**
 * The rate limit's window counter, one row per task type. Atomic: each call is one transaction
 * (read the row, roll it to the current window if it is older, take what is left), and the one
 * engine on the file serialises them.
 */
export function takeRateTokens(db: Database.Database, taskType: string, windowStart: number, limit: number, want: number): number {
  return db.transaction(() => {
    const row = db.prepare(`SELECT window_start, taken FROM rate_windows WHERE task_type = ?`).get(taskType) as
      { window_start: number; taken: number } | undefined;
    // A row of an older window counts as empty; a newer one (another clock ahead) as full.
    const taken = !row || row.window_start < windowStart ? 0 : row.window_start === windowStart ? row.taken : limit;
    const granted = Math.max(0, Math.min(want, limit - taken));
    if (granted > 0 && (!row || row.window_start <= windowStart)) {
      db.prepare(
        `INSERT INTO rate_windows (task_type, window_start, taken) VALUES (?, ?, ?)
         ON CONFLICT(task_type) DO UPDATE SET window_start = excluded.window_start, taken = excluded.taken`,
      ).run(taskType, windowStart, taken + granted);
    }
    return granted;
  })();
}

export function returnRateTokens(db: Database.Database, taskType: string, windowStart: number, count: number): void {
  if (count <= 0) return;
  db.prepare(`UPDATE rate_windows SET taken = MAX(0, taken - ?) WHERE task_type = ? AND window_start = ?`).run(
    count,
    taskType,
    windowStart,
  );
}
