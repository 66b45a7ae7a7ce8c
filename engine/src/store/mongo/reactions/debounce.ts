import type { JsonObject } from '../../../domain/records';
import type { DebounceRecord } from '../../../domain/reactions';
import { isDuplicateKey, type DebounceDoc, type ReactionCollections } from './collections';

/**
 * Debounces, one document per key. Each write is one conditional single-document operation:
 * a fold is a findOneAndUpdate matching only a debounce still open (not fired, due after now), a
 * fire one matching only a due (or already firing) debounce, an open an insert refused by the
 * unique _id when the key has one. A fold and a fire never both match one document state, so a
 * start either lands in the run being debounced or begins the next one.
 */
const recordOf = (d: DebounceDoc): DebounceRecord => ({
  keyId: d._id,
  workflowId: d.workflowId,
  request: JSON.parse(d.requestJson) as DebounceRecord['request'],
  input: JSON.parse(d.inputJson) as JsonObject,
  dueAt: d.dueAt,
  fired: d.fired,
});

export async function debounceFold(
  c: ReactionCollections,
  keyId: string,
  input: JsonObject,
  dueAt: number,
  now: number,
): Promise<DebounceRecord | null> {
  const d = await c.debounces.findOneAndUpdate(
    { _id: keyId, fired: false, dueAt: { $gt: now } },
    { $set: { inputJson: JSON.stringify(input), dueAt } },
    { returnDocument: 'after' },
  );
  return d ? recordOf(d) : null;
}

export async function debounceOpen(c: ReactionCollections, r: DebounceRecord): Promise<boolean> {
  try {
    await c.debounces.insertOne({
      _id: r.keyId,
      workflowId: r.workflowId,
      requestJson: JSON.stringify(r.request),
      inputJson: JSON.stringify(r.input),
      dueAt: r.dueAt,
      fired: r.fired,
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function debounceFire(c: ReactionCollections, keyId: string, workflowId: string, now: number): Promise<DebounceRecord | null> {
  const d = await c.debounces.findOneAndUpdate(
    { _id: keyId, workflowId, $or: [{ fired: true }, { dueAt: { $lte: now } }] },
    { $set: { fired: true } },
    { returnDocument: 'after' },
  );
  return d ? recordOf(d) : null;
}

export async function debounceClose(c: ReactionCollections, keyId: string, workflowId: string): Promise<void> {
  await c.debounces.deleteOne({ _id: keyId, workflowId, fired: true });
}

export async function getDebounce(c: ReactionCollections, keyId: string): Promise<DebounceRecord | null> {
  const d = await c.debounces.findOne({ _id: keyId });
  return d ? recordOf(d) : null;
}

export async function dueDebounces(c: ReactionCollections, now: number, limit: number): Promise<DebounceRecord[]> {
  // One query; each branch of the $or is served by its own index (due, fired).
  const docs = await c.debounces
    .find({ $or: [{ dueAt: { $lte: now } }, { fired: true }] })
    .limit(limit)
    .toArray();
  return docs.map(recordOf);
}
