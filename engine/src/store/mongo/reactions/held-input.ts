import type { Collection } from 'mongodb';
import type { JsonObject } from '../../../domain/records';
import type { WorkflowDoc } from '../codec';

/**
 * Replaces the input of a run flow control still holds. Atomic: one updateOne whose filter
 * requires the run's flowWait to be set, so a run already let in (flowWait cleared by the
 * revision-fenced commit that lets it in) keeps the input it started with.
 */
export async function setHeldInput(
  workflows: Collection<WorkflowDoc>,
  workflowId: string,
  input: JsonObject,
  now: number,
): Promise<boolean> {
  const r = await workflows.updateOne({ _id: workflowId, flowWait: { $ne: null } } as Record<string, unknown>, {
    $set: { inputJson: JSON.stringify(input), updateTime: now },
  });
  return r.modifiedCount === 1;
}
