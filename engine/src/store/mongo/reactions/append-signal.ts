import type { SignalRecord } from '../../../domain/reactions';
import { isDuplicateKey, nextSeq, type ReactionCollections } from './collections';
import { signalId, signalOf } from './signals';

/**
 * Appends a signal to a workflow's inbox. Atomic in two single-document steps, no transaction:
 * the workflow's sequence is taken with one `$inc` on its counter document (two signals never get
 * one seq), then the signal is inserted under its unique _id (workflow, signal id), so a repeated
 * send with the same signal id stores nothing and answers the stored one. A crash between the two
 * leaves a gap in the sequence, never a lost or doubled signal: the send was not acknowledged.
 */
export async function appendSignal(
  c: ReactionCollections,
  s: Omit<SignalRecord, 'seq'>,
): Promise<{ signal: SignalRecord; created: boolean }> {
  const _id = signalId(s.workflowId, s.signalId);
  const existing = await c.signals.findOne({ _id });
  if (existing) return { signal: signalOf(existing), created: false };
  const seq = await nextSeq(c, `signal\u0000${s.workflowId}`);
  const signal: SignalRecord = { ...s, seq };
  try {
    await c.signals.insertOne({
      _id,
      workflowId: s.workflowId,
      signalId: s.signalId,
      name: s.name,
      seq,
      receivedAt: s.receivedAt,
      takenBy: s.takenBy,
      consumedAt: s.consumedAt,
      delivered: s.delivered,
      payloadJson: JSON.stringify(s.payload ?? null),
    });
    return { signal, created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const raced = await c.signals.findOne({ _id });
    if (!raced) throw err;
    return { signal: signalOf(raced), created: false };
  }
}
