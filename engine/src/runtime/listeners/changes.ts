import type { TaskDef } from '@baton/definitions';
import { DeliveryStatus, type ListenerDelivery, type ListenerTarget } from '../../domain/listeners';
import type { JsonObject, StepState, WorkflowRecord } from '../../domain/records';
import type { CommitDecision } from '../../store/port';

/** Changes one commit may carry (the rest of a very wide commit is left out, and logged): seq = revision * this + place. */
export const MAX_CHANGES_PER_COMMIT = 100_000;

export interface ChangeContext {
  now: number;
  /** The workflow revision the commit creates (0 for a start). */
  revision: number;
  /** Webhooks registered with `global: true`, by name. */
  globalWebhooks: readonly string[];
  taskDef(name: string): TaskDef | undefined;
}

/** The status changes of one commit, as the listener outbox rows to write with it. */
export interface CommitChanges {
  deliveries: ListenerDelivery[];
  /** Changes left out past MAX_CHANGES_PER_COMMIT. */
  dropped: number;
}

/** Where a run's changes go: its definition's statusListener (events by default) and the global webhooks. */
export function targetsOf(wf: Pick<WorkflowRecord, 'definition'>, globalWebhooks: readonly string[]): ListenerTarget[] {
  const sl = wf.definition.statusListener;
  const targets: ListenerTarget[] = [];
  if (sl?.events ?? true) targets.push('events');
  for (const name of [...(sl?.webhooks ?? []), ...globalWebhooks]) {
    const t: ListenerTarget = `webhook:${name}`;
    if (!targets.includes(t)) targets.push(t);
  }
  return targets;
}

/**
 * The listener deliveries of a commit on `before` (the workflow as the decision saw it; `previous`
 * null for a start): a task change per step whose attempt or status changed, where the task's
 * definition sets taskStatusListenerEnabled, then the workflow's own change when its status changes
 * and its definition sets workflowStatusListenerEnabled. Pure: the caller passes the clock and the
 * revision, so a decision redone after a conflict yields rows with the new revision's ids.
 */
export function commitChanges(
  before: WorkflowRecord,
  previous: WorkflowRecord['status'] | null,
  decision: Pick<CommitDecision, 'workflow' | 'steps'>,
  ctx: ChangeContext,
): CommitChanges {
  const events: Array<{ event: string; body: JsonObject }> = [];
  const wf = { ...before, ...decision.workflow };
  const workflowView = (status: string, prev: string | null): JsonObject => ({
    workflowId: wf.workflowId,
    workflowName: wf.workflowName,
    workflowVersion: wf.workflowVersion,
    correlationId: wf.correlationId,
    status,
    previousStatus: prev,
    reasonForIncompletion: wf.reasonForIncompletion ?? null,
  });
  for (const [ref, step] of Object.entries(decision.steps?.set ?? {})) {
    const prev: StepState | undefined = previous === null ? undefined : before.state.steps[ref];
    if (prev && prev.taskId === step.taskId && prev.status === step.status) continue;
    if (ctx.taskDef(step.taskType)?.taskStatusListenerEnabled !== true) continue;
    events.push({
      event: `baton:task:${step.status}`,
      body: {
        workflow: workflowView(wf.status, null),
        task: {
          taskId: step.taskId,
          referenceTaskName: ref,
          taskType: step.taskType,
          status: step.status,
          previousStatus: prev && prev.taskId === step.taskId ? prev.status : null,
          retryCount: step.retryCount,
          iteration: step.iteration,
          reasonForIncompletion: step.reason,
        },
      },
    });
  }
  const status = decision.workflow.status ?? (previous === null ? before.status : undefined);
  if (before.definition.workflowStatusListenerEnabled === true && status !== undefined && status !== previous) {
    events.push({ event: `baton:workflow:${status}`, body: { workflow: workflowView(status, previous) } });
  }
  if (events.length === 0) return { deliveries: [], dropped: 0 };
  const kept = events.slice(0, MAX_CHANGES_PER_COMMIT);
  const targets = targetsOf(before, ctx.globalWebhooks);
  const deliveries: ListenerDelivery[] = [];
  kept.forEach((e, place) => {
    const seq = ctx.revision * MAX_CHANGES_PER_COMMIT + place;
    for (const target of targets) {
      const deliveryId = `${before.workflowId}.${seq}.${target}`;
      const body = JSON.stringify({ deliveryId, event: e.event, seq, occurredAt: ctx.now, ...e.body });
      deliveries.push({
        deliveryId,
        workflowId: before.workflowId,
        seq,
        target,
        event: e.event,
        body,
        createdAt: ctx.now,
        status: DeliveryStatus.PENDING,
        attempts: 0,
        nextAt: ctx.now,
        leaseUntil: 0,
        lastError: null,
        deliveredAt: 0,
      });
    }
  });
  return { deliveries, dropped: events.length - kept.length };
}
