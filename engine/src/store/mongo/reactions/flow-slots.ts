import { isDuplicateKey, type ReactionCollections } from './collections';

/**
 * A flow-control key's slots: one document per key holding the count and the runs holding one.
 * Acquire is atomic: one conditional update whose filter says "this run holds no slot and fewer
 * than `limit` are held", incrementing the count and adding the run in the same step, so engines
 * racing for the last slot cannot both take it. The first acquire of a key upserts its document;
 * when the key exists but is full, the upsert's insert collides on the unique _id and the run did
 * not get a slot. A run that already holds one is answered true (a redo after a crash).
 * Release is one conditional update removing the run and decrementing the count together.
 */
export async function flowAcquire(c: ReactionCollections, keyId: string, workflowId: string, limit: number): Promise<boolean> {
  try {
    const r = await c.flowKeys.updateOne(
      { _id: keyId, holders: { $ne: workflowId }, held: { $lt: limit } },
      { $inc: { held: 1 }, $push: { holders: workflowId } },
      { upsert: true },
    );
    if (r.modifiedCount === 1 || r.upsertedCount === 1) return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  return (await c.flowKeys.countDocuments({ _id: keyId, holders: workflowId })) > 0;
}

export async function flowRelease(c: ReactionCollections, keyId: string, workflowId: string): Promise<void> {
  await c.flowKeys.updateOne({ _id: keyId, holders: workflowId }, { $inc: { held: -1 }, $pull: { holders: workflowId } });
}

export async function flowHolders(c: ReactionCollections, keyId: string): Promise<string[]> {
  return [...((await c.flowKeys.findOne({ _id: keyId }))?.holders ?? [])].sort();
}

export async function flowHeldBy(c: ReactionCollections, workflowId: string): Promise<string[]> {
  return (await c.flowKeys.find({ holders: workflowId }).toArray()).map((d) => d._id).sort();
}
