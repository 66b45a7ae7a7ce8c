import type { ReactionCollections } from './collections';

/**
 * Moves a schedule's next due time. Atomic: one conditional updateOne whose filter is the due time
 * the caller fired (a compare-and-set), so of several engines that fired the same due time, one
 * moves it on and the others see no match; each due time is passed exactly once. The due time is
 * a field of its own (the schedule's JSON does not hold it: schedules.ts), so nothing else of the
 * schedule is rewritten.
 */
export async function advanceSchedule(c: ReactionCollections, name: string, expected: number, next: number): Promise<boolean> {
  const r = await c.schedules.updateOne({ _id: name, nextRunTime: expected }, { $set: { nextRunTime: next } });
  return r.modifiedCount === 1;
}
