import type { TaskDef } from '@baton/definitions';
import type { JsonObject, StepState, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalTask, isTerminalWorkflow } from '../domain/status';
import { DecideContext, type StepResult } from './context';
import { evaluateList } from './evaluate';
import type { CommitDecision } from '../store/port';

export interface DecideInput {
  workflow: WorkflowRecord;
  /** Terminal attempts not yet folded into the workflow (usually the one just reported). */
  results: readonly TaskRecord[];
  taskDef: (name: string) => TaskDef | undefined;
  now: number;
}

export interface DecideOutcome {
  /** False when the decision changes nothing but the applied marks (skip the workflow write). */
  changed: boolean;
  commit: Omit<CommitDecision, 'expectedRevision'>;
}

/**
 * The decider: a pure function of (workflow, new results, task definitions, now). It folds the
 * results into the workflow's bounded state, walks the definition, and returns what to persist:
 * tasks to create, tasks to close, and the workflow's new fields. It performs no I/O, reads no
 * clock and draws no random numbers, so the same input always yields the same outcome.
 */
export function decide(input: DecideInput): DecideOutcome {
  const { workflow, now } = input;
  const ctx = new DecideContext(workflow, input.taskDef, now);
  const applied: string[] = [];
  let changed = false;

  for (const r of input.results) {
    applied.push(r.taskId);
    const step = ctx.state.steps[r.refName];
    if (!step || step.taskId !== r.taskId || isTerminalTask(step.status)) continue;
    foldResult(step, r);
    changed = true;
  }
  if (changed) ctx.touched();

  const base = { workflowId: workflow.workflowId, appliedTaskIds: applied, now };
  if (isTerminalWorkflow(workflow.status) || workflow.status === WorkflowStatus.PAUSED) {
    return { changed: false, commit: { ...base, workflow: {}, newTasks: [], closeTasks: [] } };
  }

  const timeout = workflowTimeout(workflow, now);
  const result: StepResult =
    timeout === 'timed_out'
      ? { kind: 'failed', ref: '', reason: `workflow timed out after ${workflow.definition.timeoutSeconds}s`, timedOut: true }
      : evaluateList(workflow.definition.tasks, ctx);

  const fields: Partial<WorkflowRecord> = {};
  if (result.kind === 'blocked') {
    fields.wakeAt = timeout === 'pending' ? workflow.startTime + (workflow.definition.timeoutSeconds ?? 0) * 1000 : 0;
  } else if (result.kind === 'done') {
    Object.assign(fields, endFields(WorkflowStatus.COMPLETED, now), { output: workflowOutput(ctx), reasonForIncompletion: null });
  } else if (result.kind === 'failed') {
    cancelOpenSteps(ctx, `workflow failed: ${result.reason}`);
    const status = result.timedOut && result.ref === '' ? WorkflowStatus.TIMED_OUT : WorkflowStatus.FAILED;
    Object.assign(fields, endFields(status, now), {
      reasonForIncompletion: result.reason,
      failedReferenceTaskNames: result.ref ? [result.ref] : [],
    });
  } else {
    cancelOpenSteps(ctx, `workflow ended by ${result.status === 'COMPLETED' ? 'TERMINATE' : result.status}`);
    Object.assign(fields, endFields(result.status, now), {
      reasonForIncompletion: result.reason,
      output: result.output ?? workflowOutput(ctx),
    });
  }

  changed =
    changed ||
    ctx.newTasks.length > 0 ||
    ctx.closeTasks.length > 0 ||
    fields.status !== undefined ||
    (fields.wakeAt ?? 0) !== workflow.wakeAt ||
    JSON.stringify(ctx.state) !== JSON.stringify(workflow.state);
  fields.state = ctx.state;
  fields.variables = ctx.variables;
  fields.updateTime = now;
  return {
    changed,
    commit: { ...base, workflow: fields, newTasks: ctx.newTasks, closeTasks: ctx.closeTasks },
  };
}

/** Ends a running workflow on an operator's request (REST terminate). */
export function decideTermination(workflow: WorkflowRecord, reason: string, now: number): DecideOutcome {
  const ctx = new DecideContext(workflow, () => undefined, now);
  cancelOpenSteps(ctx, `workflow terminated: ${reason}`);
  return {
    changed: true,
    commit: {
      workflowId: workflow.workflowId,
      appliedTaskIds: [],
      now,
      newTasks: [],
      closeTasks: ctx.closeTasks,
      workflow: {
        ...endFields(WorkflowStatus.TERMINATED, now),
        reasonForIncompletion: reason,
        state: ctx.state,
        updateTime: now,
      },
    },
  };
}

function foldResult(step: StepState, r: TaskRecord): void {
  step.status = r.status;
  step.output = r.outputData;
  step.reason = r.reasonForIncompletion;
  step.startTime = r.startTime;
  step.endTime = r.endTime;
}

function endFields(status: WorkflowStatus, now: number): Partial<WorkflowRecord> {
  return { status, endTime: now, wakeAt: 0 };
}

function workflowTimeout(wf: WorkflowRecord, now: number): 'none' | 'pending' | 'timed_out' {
  const secs = wf.definition.timeoutSeconds ?? 0;
  // ALERT_ONLY never ends the workflow; the sweeper only reports it (metrics, logs).
  if (secs <= 0 || wf.definition.timeoutPolicy !== 'TIME_OUT_WF') return 'none';
  return now - wf.startTime >= secs * 1000 ? 'timed_out' : 'pending';
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
