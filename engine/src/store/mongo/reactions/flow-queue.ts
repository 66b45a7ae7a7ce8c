import type { FlowWaiting } from '../../../domain/reactions';
import { isDuplicateKey, nextSeq, type FlowWaitingDoc, type ReactionCollections } from './collections';

/**
 * A flow-control key's FIFO queue of runs. Enqueue is atomic in two single-document steps: the
 * key's sequence is taken with one `$inc` on its counter (two runs never share a place), then the
 * run is inserted under its unique _id (key, run), so a run is queued once and a repeat keeps its
 * first place. A crash between the two leaves a gap in the sequence, which orders nothing.
 */
const waitingOf = (d: FlowWaitingDoc): FlowWaiting => ({ keyId: d.keyId, workflowId: d.workflowId, seq: d.seq, enqueuedAt: d.enqueuedAt });
const idOf = (keyId: string, workflowId: string): string => `${keyId}\u0000${workflowId}`;

export async function flowEnqueue(c: ReactionCollections, keyId: string, workflowId: string, now: number): Promise<FlowWaiting> {
  const _id = idOf(keyId, workflowId);
  const existing = await c.flowWaiting.findOne({ _id });
  if (existing) return waitingOf(existing);
  const seq = await nextSeq(c, `flow\u0000${keyId}`);
  const doc: FlowWaitingDoc = { _id, keyId, workflowId, seq, enqueuedAt: now };
  try {
    await c.flowWaiting.insertOne(doc);
    return waitingOf(doc);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const raced = await c.flowWaiting.findOne({ _id });
    if (!raced) throw err;
    return waitingOf(raced);
  }
}

export async function flowDequeue(c: ReactionCollections, keyId: string, workflowId: string): Promise<void> {
  await c.flowWaiting.deleteOne({ _id: idOf(keyId, workflowId) });
}

export async function flowQueue(c: ReactionCollections, keyId: string, limit: number): Promise<FlowWaiting[]> {
  return (await c.flowWaiting.find({ keyId }).sort({ seq: 1 }).limit(limit).toArray()).map(waitingOf);
}

export async function flowQueuePosition(c: ReactionCollections, keyId: string, seq: number): Promise<{ ahead: number; total: number }> {
  const [ahead, total] = await Promise.all([
    c.flowWaiting.countDocuments({ keyId, seq: { $lt: seq } }),
    c.flowWaiting.countDocuments({ keyId }),
  ]);
  return { ahead, total };
}

/** Distinct keys after a cursor: one index walk per key (by_key), never a scan of every waiting run. */
export async function flowKeysWaiting(c: ReactionCollections, after: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor = after;
  while (keys.length < limit) {
    const next = await c.flowWaiting
      .find({ keyId: { $gt: cursor } })
      .sort({ keyId: 1, seq: 1 })
      .limit(1)
      .next();
    if (!next) break;
    keys.push(next.keyId);
    cursor = next.keyId;
  }
  return keys;
}

export async function flowWaitsOf(c: ReactionCollections, workflowId: string): Promise<FlowWaiting[]> {
  return (await c.flowWaiting.find({ workflowId }).toArray()).map(waitingOf);
}
