import { createHash } from 'node:crypto';

/**
 * Deterministic ids of what reactions create: the same inputs always give the same id, so a
 * start, repeated after a crash or raced by another engine, creates the run once (Store.createWorkflow
 * refuses an existing id), and an idempotency key always names the same run. UUID-shaped.
 */
export function derivedId(kind: string, ...parts: string[]): string {
  const h = createHash('sha1').update(kind);
  for (const p of parts) h.update('\u0000').update(p);
  const hex = h.digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The run an idempotency key names, per workflow name (StartWorkflowRequest.idempotencyKey). */
export const idempotentWorkflowId = (workflowName: string, key: string): string => derivedId('idempotency', workflowName, key);

/** The run an event handler's start_workflow action starts for one event. */
export const eventWorkflowId = (eventId: string, effectKey: string): string => derivedId('event-action', eventId, effectKey);

/** The run a schedule starts for one due time (also the execution's id). */
export const scheduleWorkflowId = (scheduleName: string, dueTime: number): string => derivedId('schedule', scheduleName, String(dueTime));
