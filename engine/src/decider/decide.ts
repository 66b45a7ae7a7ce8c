import type { JsonObject, StepState, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalTask, isTerminalWorkflow } from '../domain/status';
import { cut, DecideContext, type DecideInput, type ExhaustedAttempt, type StepResult } from './context';
import { applyAction } from './actions';
import { outputOrEncodedRead } from './encoded-reads';
import { failureWorkflowFields } from './failure-workflow';
import { installFlow, joinsWatching, runFlow } from './flow';
import { joinOnOf, waitingOf } from './operators/join';
import type { Decision } from './outcome';
import { workflowTimeout } from './workflow-timeout';
import type { ScriptRequest } from '../sandbox/types';

export type { DecideInput } from './context';

export interface DecideOutcome {
  /** False when the decision changes nothing but the applied marks (skip the workflow write). */
  changed: boolean;
  decision: Decision;
  /** Steps that gave up in this decision (for metrics; their ids are in decision.exhaustedTaskIds). */
  exhausted?: ExhaustedAttempt[];
  /**
   * The decision lacked payloads or script answers: the caller loads or evaluates these and
   * decides again; this outcome must not be committed.
   */
  needs?: { payloads: string[]; scripts: ScriptRequest[] };
  /** The decision used its budget and left work for the next one (decision.meta.resume). */
  yielded: boolean;
  /** The operator's action (DecideInput.action) could not be applied, and why; nothing to commit. */
  refused?: string;
}

/** The steps that wait on others (they hold no work of their own): open, but not running. */
const waitingTypes: ReadonlySet<string> = new Set(['JOIN', 'EXCLUSIVE_JOIN', 'DO_WHILE']);

/**
 * The decider: a pure function of (workflow, new results, task definitions, now, and the
 * payloads and script answers it was given). It folds the results into the workflow's steps,
 * walks on from the steps that changed (flow.ts), and returns what to persist: the steps that
 * changed, tasks to create and to close, and the workflow's new fields. It performs no I/O,
 * reads no clock and draws no random numbers, so the same input always yields the same outcome.
 * What it needs and was not given (a payload, a script's answer) it names in `needs`.
 */
export function decide(input: DecideInput): DecideOutcome {
  const { workflow, now } = input;
  const ctx = new DecideContext(input);
  installFlow(ctx);
  const rerun = input.action?.kind === 'rerun';
  if (isTerminalWorkflow(workflow.status) && !rerun) {
    // Leftover work stays recorded: an operator's retry picks it up (retry-workflow.ts).
    ctx.resume.push(...workflow.state.resume);
    return outcome(
      ctx,
      {},
      input.results.map((r) => r.taskId),
    );
  }

  const applied: string[] = [];
  const events: string[] = [];
  for (const r of input.results) {
    const step = ctx.step(r.refName);
    if (aheadOfState(step, r)) continue;
    applied.push(r.taskId);
    if (!step || step.taskId !== r.taskId || isTerminalTask(step.status)) continue;
    foldResult(ctx, r);
    events.push(`step:${r.refName}`);
  }
  // Paused: results are folded in, but nothing moves; their steps are evaluated on resume.
  if (workflow.status === WorkflowStatus.PAUSED) {
    ctx.resume.push(...workflow.state.resume, ...events);
    return outcome(ctx, {}, applied);
  }

  if (workflow.state.seq === 0 && !workflow.state.rootDone) events.unshift('root');
  events.push(...workflow.state.resume);
  const fields: Partial<WorkflowRecord> = {};
  if (input.action) {
    const applied = applyAction(ctx, input.action);
    if (!applied.ok) return { ...outcome(ctx, {}, []), changed: false, yielded: false, refused: applied.reason };
    events.push(...applied.events);
    if (rerun)
      Object.assign(fields, {
        status: WorkflowStatus.RUNNING,
        endTime: 0,
        reasonForIncompletion: null,
        failedReferenceTaskNames: [],
        output: {},
        lastRetriedTime: now,
      });
  }
  // A rerun gives the workflow its full time again, as a retry does (lastRetriedTime).
  const timeout = workflowTimeout(rerun ? { ...workflow, lastRetriedTime: now } : workflow, now);
  let result: StepResult =
    timeout.kind === 'timed_out'
      ? { kind: 'failed', ref: '', reason: `workflow timed out after ${timeout.seconds}s`, timedOut: true }
      : runFlow(ctx, events);
  if (result.kind === 'done' || result.kind === 'blocked') {
    result = ctx.rootDone && counts(ctx).open === 0 ? { kind: 'done' } : { kind: 'blocked' };
    if (result.kind === 'blocked' && counts(ctx).running === 0) result = stuckJoin(ctx) ?? result;
  }

  if (timeout.kind === 'alert') fields.timeoutAlertedAt = now;
  if (result.kind === 'done') {
    const resolved = outputOrEncodedRead(() => workflowOutput(ctx));
    const output = 'output' in resolved ? resolved.output : {};
    const tooBig = 'reason' in resolved ? resolved.reason : ctx.payloadProblem(output, 'the workflow output');
    if (tooBig) result = { kind: 'failed', ref: '', reason: tooBig };
    else Object.assign(fields, endFields(WorkflowStatus.COMPLETED, now), { output, reasonForIncompletion: null });
  }
  if (result.kind === 'blocked') {
    const timeoutAt = timeout.kind === 'pending' ? timeout.at : 0;
    const wakes = [timeoutAt, ctx.wakeAt, ctx.resume.length > 0 ? now : 0].filter((t) => t > 0);
    fields.wakeAt = wakes.length ? Math.min(...wakes) : 0;
  } else if (result.kind === 'failed') {
    cancelOpenSteps(ctx, `workflow failed: ${result.reason}`);
    const status = result.timedOut ? WorkflowStatus.TIMED_OUT : WorkflowStatus.FAILED;
    Object.assign(fields, endFields(status, now), {
      reasonForIncompletion: result.reason,
      failedReferenceTaskNames: result.ref ? [result.ref] : [],
    });
    Object.assign(fields, failureWorkflowFields(workflow, status, workflow.output, now));
  } else if (result.kind === 'terminate') {
    cancelOpenSteps(ctx, `workflow ended by ${result.status === 'COMPLETED' ? 'TERMINATE' : result.status}`);
    const resolved = result.output ? { output: result.output } : outputOrEncodedRead(() => workflowOutput(ctx));
    const output = 'output' in resolved ? resolved.output : {};
    Object.assign(fields, endFields(result.status, now), { reasonForIncompletion: result.reason, output });
    // A TERMINATE task that fails the workflow starts its failure workflow too, as in Conductor.
    Object.assign(fields, failureWorkflowFields(workflow, result.status, output, now));
  }
  if (ctx.incomplete) return incomplete(ctx);
  keepJoinCounts(ctx);
  return outcome(ctx, fields, applied);
}

/** Ends a running workflow on an operator's request (REST terminate). */
export function decideTermination(workflow: WorkflowRecord, reason: string, now: number): DecideOutcome {
  const ctx = new DecideContext({ workflow, results: [], taskDef: () => undefined, now });
  cancelOpenSteps(ctx, `workflow terminated: ${reason}`);
  ctx.resume.push(...workflow.state.resume);
  return outcome(ctx, { ...endFields(WorkflowStatus.TERMINATED, now), reasonForIncompletion: reason }, [], true);
}

/**
 * What a decision commits: the steps it changed (and only those), the counters kept from them,
 * the tasks to create, close and update, and the workflow's changed fields.
 */
export function outcome(ctx: DecideContext, fields: Partial<WorkflowRecord>, applied: string[], force = false): DecideOutcome {
  const wf = ctx.workflow;
  const { open, running } = counts(ctx);
  const meta = {
    seq: ctx.seq,
    open,
    running,
    rootDone: ctx.rootDone,
    resume: [...ctx.resume],
    ...(ctx.generation ? { generation: ctx.generation } : {}),
  };
  const base = wf.state;
  const set: Record<string, StepState> = {};
  const unset: string[] = [];
  for (const [ref, step] of ctx.changes) {
    if (step) set[ref] = step;
    else if (Object.prototype.hasOwnProperty.call(base.steps, ref)) unset.push(ref);
  }
  if (ctx.variables !== wf.variables) fields.variables = ctx.variables;
  const metaChanged =
    meta.seq !== base.seq ||
    meta.open !== base.open ||
    meta.running !== base.running ||
    meta.rootDone !== base.rootDone ||
    (meta.generation ?? 0) !== (base.generation ?? 0) ||
    meta.resume.length !== base.resume.length ||
    meta.resume.some((r, i) => r !== base.resume[i]);
  const changed =
    force ||
    metaChanged ||
    ctx.changes.size > 0 ||
    ctx.newTasks.length > 0 ||
    ctx.closeTasks.length > 0 ||
    ctx.taskOutputs.size > 0 ||
    fields.status !== undefined ||
    fields.timeoutAlertedAt !== undefined ||
    fields.variables !== undefined ||
    (fields.wakeAt !== undefined && fields.wakeAt !== wf.wakeAt);
  if (changed) fields.updateTime = ctx.now;
  return {
    changed,
    yielded: ctx.resume.length > 0 && !isTerminalWorkflow(fields.status ?? wf.status),
    decision: {
      workflowId: wf.workflowId,
      appliedTaskIds: applied,
      now: ctx.now,
      workflow: changed ? fields : {},
      steps: { set, unset },
      meta,
      newTasks: ctx.newTasks,
      closeTasks: ctx.closeTasks,
      taskOutputs: [...ctx.taskOutputs].map(([taskId, output]) => ({ taskId, output })),
      exhaustedTaskIds: ctx.exhausted.map((e) => e.taskId),
    },
    ...(ctx.exhausted.length ? { exhausted: ctx.exhausted } : {}),
  };
}

function incomplete(ctx: DecideContext): DecideOutcome {
  const out = outcome(ctx, {}, []);
  return { ...out, changed: false, yielded: false, needs: { payloads: [...ctx.needs.payloads], scripts: [...ctx.needs.scripts.values()] } };
}

/**
 * A result for an attempt the workflow has not scheduled yet: its step is not there, or is at an
 * earlier attempt. It happens after a crash between a decision's task inserts and its workflow
 * commit: a worker can claim and finish the inserted (deterministic-id) attempt before any
 * decision commits it. Such a result stays unapplied, so that the decision that schedules the
 * same id (a no-op insert) is followed by one that folds it (the sweeper's, for unapplied
 * results). Results of superseded attempts and duplicates are applied and dropped as before.
 */
function aheadOfState(step: Readonly<StepState> | undefined, r: TaskRecord): boolean {
  if (!step) return true;
  if (step.taskId === r.taskId) return false;
  return r.iteration > step.iteration || (r.iteration === step.iteration && r.retryCount > step.retryCount);
}

function foldResult(ctx: DecideContext, r: TaskRecord): void {
  const step = ctx.edit(r.refName) as StepState;
  step.status = r.status;
  step.reason = cut(r.reasonForIncompletion);
  step.startTime = r.startTime;
  step.endTime = r.endTime;
  if (r.status === TaskStatus.TIMED_OUT && r.timedOutBy) step.timeout = { by: r.timedOutBy, policy: r.timeoutPolicy };
  else delete step.timeout;
  ctx.knowPayload(r.taskId, { inputData: r.inputData, outputData: r.outputData });
}

function endFields(status: WorkflowStatus, now: number): Partial<WorkflowRecord> {
  return { status, endTime: now, wakeAt: 0 };
}

const isOpen = (s: Readonly<StepState> | null | undefined): number => (s && !isTerminalTask(s.status) ? 1 : 0);
const isRunning = (s: Readonly<StepState> | null | undefined): number => (s && isOpen(s) && !waitingTypes.has(s.taskType) ? 1 : 0);

/** The workflow's counters after this decision: what it had, plus what the changed steps changed. */
function counts(ctx: DecideContext): { open: number; running: number } {
  let { open, running } = ctx.workflow.state;
  for (const [ref, now] of ctx.changes) {
    const before = ctx.baseStep(ref);
    open += isOpen(now) - isOpen(before);
    running += isRunning(now) - isRunning(before);
  }
  return { open, running };
}

/** Every step, changed or not: for what happens once per workflow (its end), never per decision. */
function* allSteps(ctx: DecideContext): Generator<[string, Readonly<StepState>]> {
  for (const [ref, s] of ctx.changes) if (s) yield [ref, s];
  for (const [ref, s] of Object.entries(ctx.workflow.state.steps)) if (!ctx.changes.has(ref)) yield [ref, s];
}

function cancelOpenSteps(ctx: DecideContext, reason: string): void {
  const open = [...allSteps(ctx)].filter(([, s]) => !isTerminalTask(s.status)).map(([ref]) => ref);
  for (const ref of open) ctx.close(ref, TaskStatus.CANCELED, reason);
}

/**
 * A JOIN waiting for a step that was never scheduled, while nothing runs that could still start
 * it (a SWITCH case not taken?): Conductor would wait forever; Baton fails the JOIN.
 */
function stuckJoin(ctx: DecideContext): StepResult | null {
  for (const ref of ctx.index.joins) {
    const step = ctx.step(ref);
    const wt = ctx.index.position(ref)?.wt;
    if (!step || !wt || wt.type !== 'JOIN' || isTerminalTask(step.status)) continue;
    const joinOn = joinOnOf(wt, ctx);
    const missing = joinOn?.list.find((on) => !ctx.step(on));
    if (missing === undefined) continue;
    const reason = `JOIN '${ref}' waits for '${missing}', which was never scheduled and no longer can be`;
    ctx.finish(ref, TaskStatus.FAILED, {}, reason);
    return { kind: 'failed', ref, reason };
  }
  return null;
}

/** Keeps the count of steps each open JOIN still waits for, for the next decision (operators/join.ts). */
function keepJoinCounts(ctx: DecideContext): void {
  for (const ref of joinsWatching(ctx, [...ctx.changes.keys()])) {
    const step = ctx.step(ref);
    const wt = ctx.position(ref)?.wt;
    if (!step || !wt || wt.type !== 'JOIN' || isTerminalTask(step.status)) continue;
    const joinOn = joinOnOf(wt, ctx);
    if (!joinOn) continue;
    const waiting = waitingOf(ctx, ref, joinOn);
    if (step.extra?.waiting !== waiting) ctx.setExtra(ref, { waiting });
  }
}

/** outputParameters when defined; otherwise, as Conductor does, the last step's output (last to end, then last scheduled). */
function workflowOutput(ctx: DecideContext): JsonObject {
  const params = ctx.workflow.definition.outputParameters;
  if (params && Object.keys(params).length > 0) return ctx.resolve(params);
  let last: [string, Readonly<StepState>] | undefined;
  for (const entry of allSteps(ctx)) {
    const [, s] = entry;
    if (!last || s.endTime > last[1].endTime || (s.endTime === last[1].endTime && s.seq > last[1].seq)) last = entry;
  }
  return last ? ctx.outputOf(last[0]) : {};
}
