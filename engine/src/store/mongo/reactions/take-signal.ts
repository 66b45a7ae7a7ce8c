import type { SignalRecord } from '../../../domain/reactions';
import type { ReactionCollections } from './collections';
import { signalOf } from './signals';

/**
 * The signal a WAIT_FOR_SIGNAL attempt takes. Atomic where it matters: the take is one
 * findOneAndUpdate matching the oldest signal of the name that no attempt holds (index by_name:
 * workflowId, name, takenBy, seq) and marking it held by this attempt in the same step, so two
 * attempts (two branches, two engines) never take one signal. A redo after a crash first finds
 * the signal this attempt holds and has not consumed (a restarted run's attempt has the same id,
 * and must not get the signal its predecessor consumed).
 */
export async function takeSignal(c: ReactionCollections, workflowId: string, name: string, taskId: string): Promise<SignalRecord | null> {
  const mine = await c.signals.find({ workflowId, name, takenBy: taskId, consumedAt: 0 }).sort({ seq: 1 }).limit(1).next();
  if (mine) return signalOf(mine);
  const taken = await c.signals.findOneAndUpdate(
    { workflowId, name, takenBy: null },
    { $set: { takenBy: taskId } },
    { sort: { seq: 1 }, returnDocument: 'after' },
  );
  return taken ? signalOf(taken) : null;
}
