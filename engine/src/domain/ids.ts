import { createHash, randomUUID } from 'node:crypto';

/**
 * Deterministic task ids (docs/architecture.md, invariant 4): the same (workflow, step, iteration, attempt) always gets
 * the same id, so two deciders racing on one workflow insert the same row and the store's primary
 * key turns the second insert into a no-op. Shaped as a UUID because Conductor clients expect one.
 */
export function taskIdFor(workflowId: string, refName: string, iteration: number, retryCount: number, generation = 0): string {
  // A rerun starts a new generation of the steps it resets: their attempts get ids no earlier run used.
  const gen = generation > 0 ? `\u0000g${generation}` : '';
  const h = createHash('sha1').update(`${workflowId}\u0000${refName}\u0000${iteration}\u0000${retryCount}${gen}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A stable number in [0, 1) derived from a string: the decider's "randomness" (jitter). */
export function unitHash(s: string): number {
  const h = createHash('sha1').update(s).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

export const newWorkflowId = (): string => randomUUID();
export const newAttemptToken = (): string => randomUUID();
