import type { ReactionCollections } from './collections';

/**
 * Takes a PENDING event for processing. Atomic: one conditional updateOne whose filter is the
 * lease the caller saw; of several engines whose sweepers found the event due, one moves the
 * lease and processes it, the others see no match.
 */
export async function leaseEvent(c: ReactionCollections, id: string, expected: number, leaseUntil: number): Promise<boolean> {
  const r = await c.events.updateOne({ _id: id, status: 'PENDING', leaseUntil: expected }, { $set: { leaseUntil } });
  return r.modifiedCount === 1;
}
