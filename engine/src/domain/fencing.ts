import type { TaskRecord } from './records';
import { TaskStatus } from './status';

/**
 * Who may report on an attempt: the fencing rule both stores apply inside their atomic report
 * (docs/architecture.md, "Invariants"). Pure, so the SQLite and MongoDB adapters share one rule.
 */

/**
 * Engine-held tasks that a client may complete over REST (Conductor's WAIT and HUMAN): they have
 * no claim, so a report without a token is theirs. Other engine-held tasks (JOIN, DO_WHILE,
 * SUB_WORKFLOW...) are never completed from outside.
 */
export const externallyCompletable: readonly string[] = ['WAIT', 'HUMAN'];

/** Whether a report carrying `token` (or, from Conductor's clients, only `workerId`) holds the attempt's claim. */
export function ownsClaim(t: TaskRecord, token: string | null, workerId: string | null): boolean {
  if (t.status !== TaskStatus.IN_PROGRESS) return false;
  if (!t.queued) return token === null && externallyCompletable.includes(t.workflowTaskType);
  if (token !== null) return token === t.attemptToken;
  // Conductor's clients send no token: the worker id of the claim is the fence we have.
  return workerId === null || t.workerId === null || workerId === t.workerId;
}

/** A report that does not hold the claim: the same result again (a retry of it), or stale. */
export function classifyRejected(
  t: TaskRecord,
  r: { attemptToken: string | null; status: string },
): { kind: 'duplicate' | 'stale'; task: TaskRecord } {
  const sameAttempt = r.attemptToken === null || r.attemptToken === t.attemptToken || t.attemptToken === null;
  if (t.status === r.status && sameAttempt) return { kind: 'duplicate', task: t };
  return { kind: 'stale', task: t };
}
