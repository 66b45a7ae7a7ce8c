import type { TaskDef } from '@baton/definitions';
import type { WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalTask } from '../domain/status';
import { DecideContext } from './context';
import { outcome, type DecideOutcome } from './decide';
import { installFlow } from './flow';
import { limitsOf } from './operators/worker-task';

/** Steps that hold other steps: a retry puts them back IN_PROGRESS so they wait on their children again. */
const containers: ReadonlySet<string> = new Set([
  'FORK_JOIN',
  'FORK_JOIN_DYNAMIC',
  'JOIN',
  'EXCLUSIVE_JOIN',
  'DO_WHILE',
  'SWITCH',
  'DECISION',
]);

/** Steps run one attempt at a time from a queue (worker-task.ts): a retry gives them a new attempt. */
const attemptTypes: ReadonlySet<string> = new Set(['SIMPLE', 'DYNAMIC', 'HTTP', 'JSON_JQ_TRANSFORM']);

const reopenable: ReadonlySet<string> = new Set<string>([
  TaskStatus.FAILED,
  TaskStatus.FAILED_WITH_TERMINAL_ERROR,
  TaskStatus.TIMED_OUT,
  TaskStatus.CANCELED,
]);

/** Workflows an operator may retry (Conductor's retry: from the failed step, not from the start). */
export const retryableWorkflow: ReadonlySet<string> = new Set<string>([
  WorkflowStatus.FAILED,
  WorkflowStatus.TIMED_OUT,
  WorkflowStatus.TERMINATED,
]);

/**
 * An operator's retry of an ended workflow (POST /api/workflow/{id}/retry, Conductor's retry):
 * every step run by attempts (SIMPLE, DYNAMIC, HTTP, JSON_JQ_TRANSFORM) whose latest attempt
 * failed, timed out or was cancelled gets a new attempt at once, with a fresh retry budget
 * (retryBase) and a fresh totalTimeoutSeconds; steps that hold others go back IN_PROGRESS (a
 * JOIN counts its steps afresh); the workflow is RUNNING again and its timeout counts from now
 * (lastRetriedTime). Steps that completed are not run again; engine-held steps (WAIT, HUMAN,
 * SUB_WORKFLOW) are not re-opened. Returns null when nothing can be re-opened. Pure, like the
 * decider; an operator's action on the whole workflow, so it may look at every step. The
 * re-opened attempts' inputs are their failed attempts' inputs: the caller loads those first
 * (`needs`), as for a decision.
 */
export function decideRetry(
  workflow: WorkflowRecord,
  taskDef: (name: string) => TaskDef | undefined,
  now: number,
  payload?: DecideContext['input']['payload'],
): DecideOutcome | null {
  const ctx = new DecideContext({ workflow, results: [], taskDef, now, ...(payload ? { payload } : {}) });
  installFlow(ctx);
  // Work the workflow had left for later when it ended (a fork still starting branches) goes on.
  ctx.resume.push(...workflow.state.resume);
  let reopened = 0;
  for (const [ref, step] of Object.entries(workflow.state.steps)) {
    if (!reopenable.has(step.status)) continue;
    const wt = ctx.position(ref)?.wt;
    if (!wt) continue;
    const type = wt.type ?? 'SIMPLE';
    if (containers.has(type)) {
      const s = ctx.edit(ref) as NonNullable<ReturnType<DecideContext['edit']>>;
      Object.assign(s, { status: TaskStatus.IN_PROGRESS, reason: null, endTime: 0 });
      if (type === 'JOIN') s.extra = { ...(s.extra ?? {}), waiting: undefined };
      continue;
    }
    if (!attemptTypes.has(type)) continue;
    // A DYNAMIC step ran the task its input named; its attempts carry that name as their type.
    const task = type === 'DYNAMIC' ? { ...wt, name: step.taskType } : wt;
    const retryCount = step.retryCount + 1;
    ctx.schedule(task, {
      taskType: step.taskType,
      iteration: step.iteration,
      retryCount,
      retryBase: retryCount,
      input: ctx.inputOf(ref),
      firstScheduledTime: now,
      limits: limitsOf(task.taskDefinition ?? taskDef(task.name)),
    });
    reopened++;
  }
  if (reopened === 0) return null;
  if (ctx.incomplete) {
    return {
      changed: false,
      yielded: false,
      decision: outcome(ctx, {}, []).decision,
      needs: { payloads: [...ctx.needs.payloads], scripts: [] },
    };
  }
  // Containers re-opened above wait on their steps again: the next decision re-checks JOINs from scratch.
  for (const [ref, s] of ctx.changes) {
    if (s && s.taskType === 'JOIN' && !isTerminalTask(s.status)) ctx.resume.push(`step:${ref}`);
  }
  return outcome(
    ctx,
    {
      status: WorkflowStatus.RUNNING,
      endTime: 0,
      reasonForIncompletion: null,
      failedReferenceTaskNames: [],
      lastRetriedTime: now,
      wakeAt: 0,
    },
    [],
    true,
  );
}
