import type { Collections } from './collections';

/**
 * The rate limit's window counter: one document per task type, { _id: taskType, windowStart,
 * taken }, shared by every engine. Atomic: each grant is one conditional write on that document
 * (single-document atomicity, no transaction): `$inc` only while the window is the current one
 * and has room for the grant, or a roll-over `$set` only if the document is still the older
 * window that was read (a compare-and-set), or an insert whose unique _id lets one engine win.
 * A lost race re-reads and tries again (at most a few times; then it grants nothing, which only
 * delays a poll). Round trips: 2 per grant (read, write).
 */
const MAX_TRIES = 5;

export async function takeRateTokens(c: Collections, taskType: string, windowStart: number, limit: number, want: number): Promise<number> {
  if (want <= 0 || limit <= 0) return 0;
  for (let i = 0; i < MAX_TRIES; i++) {
    const doc = await c.rateWindows.findOne({ _id: taskType });
    if (doc && doc.windowStart > windowStart) return 0; // another engine's clock is ahead: its window is full for us
    if (!doc || doc.windowStart < windowStart) {
      const granted = Math.min(want, limit);
      if (!doc) {
        try {
          await c.rateWindows.insertOne({ _id: taskType, windowStart, taken: granted });
          return granted;
        } catch (err) {
          if ((err as { code?: unknown }).code === 11000) continue;
          throw err;
        }
      }
      const rolled = await c.rateWindows.updateOne(
        { _id: taskType, windowStart: doc.windowStart, taken: doc.taken },
        { $set: { windowStart, taken: granted } },
      );
      if (rolled.modifiedCount === 1) return granted;
      continue;
    }
    const granted = Math.min(want, limit - doc.taken);
    if (granted <= 0) return 0;
    const took = await c.rateWindows.updateOne(
      { _id: taskType, windowStart, taken: { $lte: limit - granted } },
      { $inc: { taken: granted } },
    );
    if (took.modifiedCount === 1) return granted;
  }
  return 0;
}

/** Atomic: one conditional `$inc`, only on the same window and never below zero. */
export async function returnRateTokens(c: Collections, taskType: string, windowStart: number, count: number): Promise<void> {
  if (count <= 0) return;
  await c.rateWindows.updateOne({ _id: taskType, windowStart, taken: { $gte: count } }, { $inc: { taken: -count } });
}
