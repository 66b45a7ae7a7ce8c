import type { SignalRecord } from '../../../domain/reactions';
import type { ReactionCollections, SignalDoc } from './collections';

/**
 * Signal reads and the single-document writes on one signal: each write is one updateOne fenced
 * on the attempt that holds the signal, so a give-back or a consumption by an attempt that no
 * longer holds it changes nothing.
 */
export const signalId = (workflowId: string, id: string): string => `${workflowId}\u0000${id}`;

export const signalOf = (d: SignalDoc): SignalRecord => ({
  signalId: d.signalId,
  workflowId: d.workflowId,
  name: d.name,
  payload: JSON.parse(d.payloadJson) as unknown,
  seq: d.seq,
  receivedAt: d.receivedAt,
  takenBy: d.takenBy,
  consumedAt: d.consumedAt,
  delivered: d.delivered,
});

export async function releaseSignal(c: ReactionCollections, id: string, workflowId: string, taskId: string): Promise<boolean> {
  const r = await c.signals.updateOne({ _id: signalId(workflowId, id), takenBy: taskId, consumedAt: 0 }, { $set: { takenBy: null } });
  return r.modifiedCount === 1;
}

export async function consumeSignal(c: ReactionCollections, id: string, workflowId: string, taskId: string, now: number): Promise<void> {
  await c.signals.updateOne(
    { _id: signalId(workflowId, id), takenBy: taskId, consumedAt: 0 },
    { $set: { consumedAt: now, delivered: true } },
  );
}

export async function markSignalDelivered(c: ReactionCollections, id: string, workflowId: string): Promise<void> {
  await c.signals.updateOne({ _id: signalId(workflowId, id) }, { $set: { delivered: true } });
}

export async function takenSignals(c: ReactionCollections, workflowId: string, name: string): Promise<SignalRecord[]> {
  const docs = await c.signals
    .find({ workflowId, name, takenBy: { $ne: null }, consumedAt: 0 })
    .sort({ seq: 1 })
    .toArray();
  return docs.map(signalOf);
}

export async function listSignals(c: ReactionCollections, workflowId: string, limit: number): Promise<SignalRecord[]> {
  const docs = await c.signals.find({ workflowId }).sort({ seq: 1 }).limit(limit).toArray();
  return docs.map(signalOf);
}

export async function undeliveredSignals(c: ReactionCollections, before: number, limit: number): Promise<SignalRecord[]> {
  const docs = await c.signals
    .find({ delivered: false, receivedAt: { $lt: before } })
    .sort({ receivedAt: 1 })
    .limit(limit)
    .toArray();
  return docs.map(signalOf);
}
