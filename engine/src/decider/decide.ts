import type { TaskDef } from '@baton/definitions';
import type { JsonObject, StepState, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalTask, isTerminalWorkflow } from '../domain/status';
import { DecideContext, type ExhaustedAttempt, type StepResult } from './context';
import { evaluateList } from './evaluate';
import { failureWorkflowFields } from './failure-workflow';
import { workflowTimeout } from './workflow-timeout';
import type { CommitDecision } from '../store/port';
import type { ScriptEvaluator } from '../sandbox/types';

export interface DecideInput {
  workflow: WorkflowRecord;
  /** Terminal attempts not yet folded into the workflow (usually the one just reported). */
  results: readonly TaskRecord[];
  taskDef: (name: string) => TaskDef | undefined;
  now: number;
  /** The sandbox for user scripts; without one, steps that need a script fail. */
  scripts?: ScriptEvaluator;
}

export interface DecideOutcome {
  /** False when the decision changes nothing but the applied marks (skip the workflow write). */
  changed: boolean;
  commit: Omit<CommitDecision, 'expectedRevision'>;
  /** Steps that gave up in this decision (for metrics; their ids are in commit.exhaustedTaskIds). */
  exhausted?: ExhaustedAttempt[];
}

/**
 * The decider: a pure function of (workflow, new results, task definitions, now). It folds the
 * results into the workflow's bounded state, walks the definition, and returns what to persist:
 * tasks to create, tasks to close, and the workflow's new fields. It performs no I/O, reads no
 * clock and draws no random numbers, so the same input always yields the same outcome.
 */
export function decide(input: DecideInput): DecideOutcome {
  const { workflow, now } = input;
  const ctx = new DecideContext(workflow, input.taskDef, now, input.scripts);
  ctx.walk = (tasks) => evaluateList(tasks, ctx);
  const applied: string[] = [];
  let changed = false;

  for (const r of input.results) {
    const step = ctx.state.steps[r.refName];
    if (aheadOfState(step, r)) continue;
    applied.push(r.taskId);
    if (!step || step.taskId !== r.taskId || isTerminalTask(step.status)) continue;
    foldResult(step, r);
    changed = true;
  }
  if (changed) ctx.touched();

  const base = { workflowId: workflow.workflowId, appliedTaskIds: applied, now };
  if (isTerminalWorkflow(workflow.status) || workflow.status === WorkflowStatus.PAUSED) {
    const all = input.results.map((r) => r.taskId);
    return { changed: false, commit: { ...base, appliedTaskIds: all, workflow: {}, newTasks: [], closeTasks: [] } };
  }

  const timeout = workflowTimeout(workflow, now);
  let result: StepResult =
    timeout.kind === 'timed_out'
      ? { kind: 'failed', ref: '', reason: `workflow timed out after ${timeout.seconds}s`, timedOut: true }
      : evaluateList(workflow.definition.tasks, ctx);
  // A forked branch that no JOIN waits for still has to finish before the workflow does.
  if (result.kind === 'done' && hasOpenSteps(ctx)) result = { kind: 'blocked' };

  const fields: Partial<WorkflowRecord> = {};
  if (timeout.kind === 'alert') fields.timeoutAlertedAt = now;
  if (result.kind === 'blocked') {
    const timeoutAt = timeout.kind === 'pending' ? timeout.at : 0;
    fields.wakeAt = timeoutAt && ctx.wakeAt ? Math.min(timeoutAt, ctx.wakeAt) : timeoutAt || ctx.wakeAt;
  } else if (result.kind === 'done') {
    Object.assign(fields, endFields(WorkflowStatus.COMPLETED, now), { output: workflowOutput(ctx), reasonForIncompletion: null });
  } else if (result.kind === 'failed') {
    cancelOpenSteps(ctx, `workflow failed: ${result.reason}`);
    const status = result.timedOut ? WorkflowStatus.TIMED_OUT : WorkflowStatus.FAILED;
    Object.assign(fields, endFields(status, now), {
      reasonForIncompletion: result.reason,
      failedReferenceTaskNames: result.ref ? [result.ref] : [],
    });
    Object.assign(fields, failureWorkflowFields(workflow, status, workflow.output, now));
  } else {
    cancelOpenSteps(ctx, `workflow ended by ${result.status === 'COMPLETED' ? 'TERMINATE' : result.status}`);
    Object.assign(fields, endFields(result.status, now), {
      reasonForIncompletion: result.reason,
      output: result.output ?? workflowOutput(ctx),
    });
    // A TERMINATE task that fails the workflow starts its failure workflow too, as in Conductor.
    Object.assign(fields, failureWorkflowFields(workflow, result.status, fields.output ?? {}, now));
  }

  changed =
    changed ||
    ctx.newTasks.length > 0 ||
    ctx.closeTasks.length > 0 ||
    fields.status !== undefined ||
    fields.timeoutAlertedAt !== undefined ||
    (fields.wakeAt ?? 0) !== workflow.wakeAt ||
    JSON.stringify(ctx.state) !== JSON.stringify(workflow.state);
  fields.state = ctx.state;
  fields.variables = ctx.variables;
  fields.updateTime = now;
  return {
    changed,
    commit: {
      ...base,
      workflow: fields,
      newTasks: ctx.newTasks,
      closeTasks: ctx.closeTasks,
      ...(ctx.exhausted.length ? { exhaustedTaskIds: ctx.exhausted.map((e) => e.taskId) } : {}),
    },
    ...(ctx.exhausted.length ? { exhausted: ctx.exhausted } : {}),
  };
}

/** Ends a running workflow on an operator's request (REST terminate). */
export function decideTermination(workflow: WorkflowRecord, reason: string, now: number): DecideOutcome {
  const ctx = new DecideContext(workflow, () => undefined, now);
  cancelOpenSteps(ctx, `workflow terminated: ${reason}`);
  return operatorOutcome(ctx, { ...endFields(WorkflowStatus.TERMINATED, now), reasonForIncompletion: reason });
}

/** The outcome of an operator's action on a workflow (terminate, retry): what the context holds. */
export function operatorOutcome(ctx: DecideContext, fields: Partial<WorkflowRecord>): DecideOutcome {
  return {
    changed: true,
    commit: {
      workflowId: ctx.workflow.workflowId,
      appliedTaskIds: [],
      now: ctx.now,
      newTasks: ctx.newTasks,
      closeTasks: ctx.closeTasks,
      workflow: { ...fields, state: ctx.state, updateTime: ctx.now },
    },
  };
}

/**
 * A result for an attempt the workflow has not scheduled yet: its step is not there, or is at an
 * earlier attempt. It happens after a crash between a decision's task inserts and its workflow
 * commit: a worker can claim and finish the inserted (deterministic-id) attempt before any
 * decision commits it. Such a result stays unapplied, so that the decision that schedules the
 * same id (a no-op insert) is followed by one that folds it (the sweeper's, for unapplied
 * results). Results of superseded attempts and duplicates are applied and dropped as before.
 */
function aheadOfState(step: StepState | undefined, r: TaskRecord): boolean {
  if (!step) return true;
  if (step.taskId === r.taskId) return false;
  return r.iteration > step.iteration || (r.iteration === step.iteration && r.retryCount > step.retryCount);
}

function foldResult(step: StepState, r: TaskRecord): void {
  step.status = r.status;
  step.output = r.outputData;
  step.reason = r.reasonForIncompletion;
  step.startTime = r.startTime;
  step.endTime = r.endTime;
  if (r.status === TaskStatus.TIMED_OUT && r.timedOutBy) step.timeout = { by: r.timedOutBy, policy: r.timeoutPolicy };
  else delete step.timeout;
}

function endFields(status: WorkflowStatus, now: number): Partial<WorkflowRecord> {
  return { status, endTime: now, wakeAt: 0 };
}

function hasOpenSteps(ctx: DecideContext): boolean {
  return Object.values(ctx.state.steps).some((s) => !isTerminalTask(s.status));
}

function cancelOpenSteps(ctx: DecideContext, reason: string): void {
  for (const [ref, s] of Object.entries(ctx.state.steps)) {
    if (!isTerminalTask(s.status)) ctx.close(ref, TaskStatus.CANCELED, reason);
  }
}

/** outputParameters when defined; otherwise, as Conductor does, the last step's output. */
function workflowOutput(ctx: DecideContext): JsonObject {
  const params = ctx.workflow.definition.outputParameters;
  if (params && Object.keys(params).length > 0) return ctx.resolve(params);
  let last: StepState | undefined;
  for (const s of Object.values(ctx.state.steps)) {
    if (!last || s.endTime >= last.endTime) last = s;
  }
  return last?.output ?? {};
}
