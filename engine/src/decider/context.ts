import { resolveParameters, type ExpressionContext, type TaskDef, type TaskTimeoutPolicy, type WorkflowTask } from '@baton/definitions';
import { taskIdFor } from '../domain/ids';
import { rankOf } from '../domain/priority';
import {
  MAX_STEP_REASON,
  type JsonObject,
  type StepState,
  type TaskPayload,
  type TaskRecord,
  type WorkflowRecord,
} from '../domain/records';
import { TaskStatus, isTerminalTask } from '../domain/status';
import { scriptRequest, type ScriptRequest, type ScriptResult } from '../sandbox/types';
import { defaultDecideLimits, formatBytes, type DecideLimits } from './limits';
import type { WorkflowAction } from './actions';
import { inputSchemaRefusal } from './input-schema';
import { definitionIndex, type Position, type PositionIndex, type StepList } from './positions';

/** How one step (and everything nested in it) stands after evaluation. */
export type StepResult =
  | { kind: 'done' }
  | { kind: 'blocked' }
  | { kind: 'failed'; ref: string; reason: string; timedOut?: boolean }
  | { kind: 'terminate'; status: 'COMPLETED' | 'FAILED' | 'TERMINATED'; reason: string | null; output: JsonObject | null };

export const DONE: StepResult = { kind: 'done' };
export const BLOCKED: StepResult = { kind: 'blocked' };

/** What the decider is given. Everything it reads comes from here: it performs no I/O of its own. */
export interface DecideInput {
  workflow: WorkflowRecord;
  /** Terminal attempts not yet folded into the workflow (usually the one just reported). */
  results: readonly TaskRecord[];
  taskDef: (name: string) => TaskDef | undefined;
  now: number;
  /**
   * Task records' payloads by taskId. Undefined for one the caller has not loaded: the decision
   * then names it in `needs.payloads`, and the caller loads it and decides again.
   */
  payload?: (taskId: string) => TaskPayload | undefined;
  /** Answers to script evaluations by request; undefined for one not evaluated yet (see `needs.scripts`). */
  script?: (req: ScriptRequest) => ScriptResult | undefined;
  /** False once the decision's script time is spent: scripts not answered yet wait for the next decision. */
  scriptTimeLeft?: boolean;
  limits?: Partial<DecideLimits>;
  /**
   * A cache for what the decider derives from immutable inputs (forked steps of a dynamic fork,
   * keyed by the fork's taskId). Optional; the caller may keep it across decisions.
   */
  memo?: Map<string, unknown>;
  /** An operator's action to apply before walking on (rerun from a step, skip a step: actions.ts). */
  action?: WorkflowAction;
}

export interface ScheduleOptions {
  iteration?: number;
  retryCount?: number;
  input?: JsonObject;
  delayMs?: number;
  /** Engine-held tasks start IN_PROGRESS (WAIT, HUMAN); done-at-decide tasks start terminal. */
  status?: TaskStatus;
  output?: JsonObject;
  reason?: string | null;
  /** False for tasks no worker polls (WAIT, HUMAN, operators). */
  queued?: boolean;
  /** Queue name when it differs from the definition's name (system tasks). */
  taskType?: string;
  wakeAt?: number;
  firstScheduledTime?: number;
  extra?: JsonObject;
  /** Time limits of a worker attempt (worker-task.ts); their deadlines are stored on the task. */
  limits?: AttemptLimits;
  /** retryCount from which automatic retries count (after an operator's retry); kept across retries. */
  retryBase?: number;
}

/** The limits of one attempt whose clocks start when it is scheduled (docs/policies.md). */
export interface AttemptLimits {
  pollTimeoutMs: number;
  totalTimeoutMs: number;
  timeoutPolicy: TaskTimeoutPolicy;
}

/** A step that gave up after this attempt (retries exhausted, terminal failure): a poison task. */
export interface ExhaustedAttempt {
  taskId: string;
  taskType: string;
  reason: string | null;
}

export interface CloseTask {
  taskId: string;
  status: TaskStatus;
  reason: string | null;
  output?: JsonObject;
}

/** A script could not be answered in this pass: not evaluated yet ('pending'), or the decision's budget is spent. */
export type ScriptOutcome = ScriptResult | { ok: 'later' };

const EMPTY_PAYLOAD: TaskPayload = Object.freeze({ inputData: Object.freeze({}), outputData: Object.freeze({}) }) as TaskPayload;

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The scratchpad of one decision. The workflow it is given is never modified: changed steps live
 * in an overlay (`changes`), so a decision costs what it touches, and a decision that is thrown
 * away (it needed data it did not have) leaves nothing behind. Operators read and change the
 * workflow through it and record what should happen; `decide` turns it into an outcome. Nothing
 * here performs I/O.
 */
export class DecideContext {
  readonly workflow: WorkflowRecord;
  readonly index: PositionIndex;
  readonly now: number;
  readonly limits: DecideLimits;
  /** Steps changed by this decision (null: forgotten, as a loop's previous iteration). */
  readonly changes = new Map<string, StepState | null>();
  /** Every change in order (a ref may repeat): watchers of changed steps are found from here. */
  readonly changeLog: string[] = [];
  seq: number;
  /** The state's generation (reruns bump it: DeciderState.generation). */
  generation: number;
  variables: JsonObject;
  /** An operator's new input for one step (a rerun's taskInput), merged over what it resolves. */
  inputOverride: { ref: string; input: JsonObject } | null = null;
  readonly newTasks: TaskRecord[] = [];
  private readonly newById = new Map<string, TaskRecord>();
  readonly closeTasks: CloseTask[] = [];
  /** New outputs of open attempts the decider holds (a DO_WHILE's running output). */
  readonly taskOutputs = new Map<string, JsonObject>();
  private readonly payloadOverrides = new Map<string, TaskPayload>();
  /** Attempts after which their step gave up, marked on their records by the commit. */
  readonly exhausted: ExhaustedAttempt[] = [];
  /** DO_WHILE iteration that steps scheduled now belong to (0 outside loops). */
  iteration = 0;
  /** Earliest time this workflow must be decided again without any event (0: none requested). */
  wakeAt = 0;
  /** Steps (attempts, loop iterations) this decision may still create (limits.stepsPerDecision). */
  stepsLeft: number;
  private scriptsLeft: number;
  /** Work for the next decision (the budget ran out): 'step:', 'from:' or 'op:' entries, see flow.ts. */
  readonly resume: string[] = [];
  /** Steps changed inside this decision that must be evaluated again in it (flow.ts drains them). */
  readonly pending: string[] = [];
  rootDone: boolean;
  /** What this decision needs and was not given: it is then incomplete, and its outcome is discarded. */
  readonly needs = { payloads: new Set<string>(), scripts: new Map<string, ScriptRequest>() };
  /** Set by flow.ts: walks a list from an index; operators use it for their nested lists. */
  walk: (list: StepList, from: number) => StepResult = () => ({ kind: 'failed', ref: '', reason: 'nested steps cannot be evaluated here' });
  /** Set by flow.ts: where a step sits, forked steps of dynamic forks included. */
  position: (ref: string) => Position | undefined;
  private exprWorkflow: Record<string, unknown> | null = null;

  constructor(readonly input: DecideInput) {
    this.workflow = input.workflow;
    this.index = definitionIndex(input.workflow.definition);
    this.position = (ref) => this.index.position(ref);
    this.now = input.now;
    this.limits = { ...defaultDecideLimits, ...(input.limits ?? {}) };
    this.stepsLeft = this.limits.stepsPerDecision;
    this.scriptsLeft = this.limits.scriptsPerDecision;
    this.seq = input.workflow.state.seq;
    this.generation = input.workflow.state.generation ?? 0;
    this.variables = input.workflow.variables;
    this.rootDone = input.workflow.state.rootDone;
  }

  get taskDef(): (name: string) => TaskDef | undefined {
    return this.input.taskDef;
  }

  /** Derived data worth keeping across passes and decisions (DecideInput.memo, else this decision's own). */
  get memo(): Map<string, unknown> {
    return (this.ownMemo ??= this.input.memo ?? new Map());
  }
  private ownMemo: Map<string, unknown> | undefined;

  // ---- steps

  /** The latest attempt of a step. Never modify what this returns: use `edit`. */
  step(ref: string): Readonly<StepState> | undefined {
    const changed = this.changes.get(ref);
    if (changed !== undefined) return changed ?? undefined;
    const steps = this.workflow.state.steps;
    return hasOwn(steps, ref) ? steps[ref] : undefined;
  }

  /** The step as it was before this decision. */
  baseStep(ref: string): Readonly<StepState> | undefined {
    const steps = this.workflow.state.steps;
    return hasOwn(steps, ref) ? steps[ref] : undefined;
  }

  /** A step to change in this decision (copied into the overlay on first use). */
  edit(ref: string): StepState | undefined {
    const changed = this.changes.get(ref);
    if (changed) {
      this.changeLog.push(ref);
      return changed;
    }
    const base = changed === null ? undefined : this.baseStep(ref);
    if (!base) return undefined;
    const copy: StepState = { ...base };
    this.put(ref, copy);
    return copy;
  }

  private put(ref: string, step: StepState | null): void {
    this.changes.set(ref, step);
    this.changeLog.push(ref);
  }

  /** Sets fields of a step's operator state (`extra`), replacing the object rather than changing it. */
  setExtra(ref: string, fields: JsonObject): void {
    const s = this.edit(ref);
    if (s) s.extra = { ...(s.extra ?? {}), ...fields };
  }

  /** Forgets steps so that they are scheduled afresh (the next iteration of a loop). */
  forget(refs: Iterable<string>): void {
    for (const ref of refs) if (this.step(ref)) this.put(ref, null);
  }

  /** Asks for another decision at `at` at the latest (a timer, a retry delay). */
  requestWake(at: number): void {
    this.wakeAt = this.wakeAt === 0 ? at : Math.min(this.wakeAt, at);
  }

  /** Leaves work for the next decision (see flow.ts for the entries) and says the walk stops here. */
  yieldTo(entry: string): StepResult {
    if (!this.resume.includes(entry)) this.resume.push(entry);
    return BLOCKED;
  }

  /** Evaluate this step again before the decision ends (its state changed under its operator's feet). */
  reevaluate(ref: string): void {
    this.pending.push(ref);
  }

  // ---- payloads

  /** A step's latest attempt's input and output; an empty stand-in (and a need) when not loaded. */
  payloadOf(step: Readonly<StepState>): TaskPayload {
    const id = step.taskId;
    const fresh = this.newById.get(id);
    if (fresh) return fresh;
    const over = this.payloadOverrides.get(id);
    if (over) return over;
    const loaded = this.input.payload?.(id);
    if (loaded) return loaded;
    this.needs.payloads.add(id);
    return EMPTY_PAYLOAD;
  }

  /** A payload the caller already holds (a result being folded in carries its own). */
  knowPayload(taskId: string, payload: TaskPayload): void {
    this.payloadOverrides.set(taskId, payload);
  }

  inputOf(ref: string): JsonObject {
    const s = this.step(ref);
    return s ? this.payloadOf(s).inputData : {};
  }

  outputOf(ref: string): JsonObject {
    const s = this.step(ref);
    return s ? this.payloadOf(s).outputData : {};
  }

  /** True when this pass lacks a payload: what it computed may rest on stand-ins and is discarded. */
  get incomplete(): boolean {
    return this.needs.payloads.size > 0 || this.needs.scripts.size > 0;
  }

  /**
   * A payload's size against limits.maxPayloadBytes; a reason naming the limit when over it.
   * Computed values only (resolved inputs, JOIN and loop outputs): clients' payloads are refused
   * at the API with 413 before they reach a decision.
   */
  payloadProblem(value: unknown, what: string): string | null {
    const max = this.limits.maxPayloadBytes;
    const size = Buffer.byteLength(JSON.stringify(value) ?? '');
    return size > max ? `${what} is ${formatBytes(size)}, over the payload limit of ${formatBytes(max)} (BATON_MAX_PAYLOAD_BYTES)` : null;
  }

  // ---- scripts

  /**
   * Evaluates a script over bindings, by asking: the answer comes from the caller on a later pass
   * of the same decision. `{ ok: 'later' }` means "not now" (not evaluated yet, or the decision's
   * script budget is spent): the operator yields, and the flow continues where it stopped.
   */
  script(script: string, bindings: Record<string, unknown>): ScriptOutcome {
    // Bindings built on stand-in payloads would ask for a useless evaluation: load them first.
    if (this.needs.payloads.size > 0) return { ok: 'later' };
    if (this.scriptsLeft <= 0) return { ok: 'later' };
    this.scriptsLeft--;
    const req = scriptRequest(script, bindings, this.now);
    if ('error' in req) return { ok: false, error: req.error };
    const answer = this.input.script?.(req);
    if (answer) return answer;
    if (this.input.scriptTimeLeft === false) {
      this.scriptsLeft = 0;
      return { ok: 'later' };
    }
    this.needs.scripts.set(req.key, req);
    return { ok: 'later' };
  }

  // ---- expressions

  expressions(): ExpressionContext {
    if (!this.exprWorkflow) {
      const wf = this.workflow;
      this.exprWorkflow = {
        input: wf.input,
        output: wf.output,
        workflowId: wf.workflowId,
        workflowType: wf.workflowName,
        version: wf.workflowVersion,
        correlationId: wf.correlationId,
        priority: wf.priority,
        status: wf.status,
        createTime: wf.createTime,
        parentWorkflowId: wf.parentWorkflowId,
        parentWorkflowTaskId: wf.parentWorkflowTaskId,
        variables: this.variables,
      };
    }
    return { workflow: this.exprWorkflow, tasks: (ref) => this.taskRoot(ref), failOnEncoded: true };
  }

  /** What `${ref...}` sees of a step; `${ref__3...}` names iteration 3 of a loop's step. Payloads load lazily. */
  private taskRoot(ref: string): Record<string, unknown> | undefined {
    let step = this.step(ref);
    if (!step) {
      const m = /^(.+)__(\d+)$/.exec(ref);
      const inLoop = m ? this.step(m[1] as string) : undefined;
      if (!inLoop || inLoop.iteration !== Number(m?.[2])) return undefined;
      step = inLoop;
    }
    const s = step;
    const payload = (): TaskPayload => this.payloadOf(s);
    return {
      get input() {
        return payload().inputData;
      },
      get output() {
        return payload().outputData;
      },
      status: s.status,
      taskId: s.taskId,
      retryCount: s.retryCount,
      iteration: s.iteration,
      reasonForIncompletion: s.reason,
    };
  }

  resolve(params: unknown): JsonObject {
    const out = resolveParameters(params ?? {}, this.expressions());
    return out !== null && typeof out === 'object' && !Array.isArray(out) ? (out as JsonObject) : {};
  }

  setVariables(next: JsonObject): void {
    this.variables = next;
    this.exprWorkflow = null;
  }

  // ---- attempts

  /** Creates a new attempt of a step and makes it the step's latest attempt. */
  schedule(wt: WorkflowTask, opts: ScheduleOptions = {}): StepState {
    const wf = this.workflow;
    const ref = wt.taskReferenceName;
    const iteration = opts.iteration ?? this.iteration;
    const retryCount = opts.retryCount ?? 0;
    const taskId = taskIdFor(wf.workflowId, ref, iteration, retryCount, this.generation);
    let status = opts.status ?? TaskStatus.SCHEDULED;
    let input = opts.input ?? this.resolve(wt.inputParameters);
    if (this.inputOverride?.ref === ref && opts.retryCount === undefined) input = { ...input, ...this.inputOverride.input };
    let reason = opts.reason ?? null;
    let queued = opts.queued ?? true;
    // A computed payload past the limit is not stored: the attempt fails for good instead. (A
    // retry's input is its previous attempt's, which passed this check already.)
    const tooBig =
      (retryCount > 0 && opts.input ? null : this.payloadProblem(input, `the input of '${ref}'`)) ??
      (opts.output && isTerminalTask(status) ? this.payloadProblem(opts.output, `the output of '${ref}'`) : null);
    if (tooBig) {
      status = TaskStatus.FAILED_WITH_TERMINAL_ERROR;
      input = {};
      reason = tooBig;
      queued = false;
      this.reevaluate(ref);
    }
    // An enforced inputSchema refuses the schedule: the attempt fails for good, its input kept to
    // show what was wrong (a retry would get the same input). Retries were checked on attempt 0.
    const checkInput = !tooBig && !(retryCount > 0 && opts.input);
    const refused = checkInput ? inputSchemaRefusal(wt, wt.taskDefinition ?? this.taskDef(wt.name), input) : null;
    if (refused) {
      status = TaskStatus.FAILED_WITH_TERMINAL_ERROR;
      reason = refused.reason;
      queued = false;
      this.reevaluate(ref);
    }
    const visibleAt = this.now + (opts.delayMs ?? 0);
    const terminal = isTerminalTask(status);
    const type = wt.type ?? 'SIMPLE';
    const record: TaskRecord = {
      taskId,
      workflowInstanceId: wf.workflowId,
      workflowType: wf.workflowName,
      workflowPriority: wf.priority,
      taskType: opts.taskType ?? (type === 'SIMPLE' ? wt.name : type),
      workflowTaskType: type,
      taskDefName: wt.name,
      referenceTaskName: iteration > 0 ? `${ref}__${iteration}` : ref,
      refName: ref,
      iteration,
      retryCount,
      seq: ++this.seq,
      status,
      inputData: input,
      outputData: tooBig ? {} : (refused?.output ?? opts.output ?? {}),
      reasonForIncompletion: reason,
      queued,
      scheduledTime: this.now,
      startTime: status === TaskStatus.SCHEDULED ? 0 : this.now,
      endTime: terminal ? this.now : 0,
      updateTime: this.now,
      visibleAt,
      rank: rankOf(visibleAt, wf.priority),
      leaseUntil: 0,
      attemptToken: null,
      workerId: null,
      pollCount: 0,
      callbackAfterSeconds: 0,
      wakeAt: tooBig || refused ? 0 : (opts.wakeAt ?? 0),
      // A task born terminal (operators) is already part of the decision that created it.
      applied: true,
      logs: [],
      pollDeadlineAt: 0,
      timeoutAt: 0,
      totalDeadlineAt: 0,
      deadlineAt: 0,
      timeoutPolicy: opts.limits?.timeoutPolicy ?? 'TIME_OUT_WF',
      timedOutBy: null,
      timeoutAlerts: [],
      exhausted: false,
      // Workers with a codec encode every output field but these (docs/payloads.md).
      ...(wf.definition.payloadCodec ? { payloadCodec: { clearFields: wf.definition.payloadCodec.clearFields ?? [] } } : {}),
    };
    const prev = this.step(ref);
    const firstScheduledTime = opts.firstScheduledTime ?? (retryCount > 0 && prev ? prev.firstScheduledTime : this.now);
    const retryBase = opts.retryBase ?? (retryCount > 0 ? prev?.retryBase : undefined);
    if (opts.limits && status === TaskStatus.SCHEDULED) {
      const { pollTimeoutMs, totalTimeoutMs } = opts.limits;
      if (pollTimeoutMs > 0) record.pollDeadlineAt = visibleAt + pollTimeoutMs;
      if (totalTimeoutMs > 0) record.totalDeadlineAt = record.deadlineAt = firstScheduledTime + totalTimeoutMs;
    }
    this.newTasks.push(record);
    this.newById.set(taskId, record);
    this.stepsLeft--;
    const step: StepState = {
      taskId,
      seq: record.seq,
      status,
      retryCount,
      iteration,
      taskType: record.taskType,
      reason: cut(reason),
      scheduledTime: this.now,
      startTime: record.startTime,
      endTime: record.endTime,
      firstScheduledTime,
      ...(retryBase !== undefined ? { retryBase } : {}),
      ...(opts.extra ? { extra: opts.extra } : {}),
    };
    this.put(ref, step);
    return step;
  }

  /** Closes the latest attempt of a step that is not terminal yet (cancel on workflow end...). */
  close(ref: string, status: TaskStatus, reason: string | null): void {
    const s = this.step(ref);
    if (!s || isTerminalTask(s.status)) return;
    const step = this.edit(ref) as StepState;
    step.status = status;
    step.reason = cut(reason);
    step.endTime = this.now;
    const fresh = this.newById.get(step.taskId);
    if (fresh) {
      Object.assign(fresh, { status, reasonForIncompletion: reason, endTime: this.now, wakeAt: 0 });
      return;
    }
    this.closeTasks.push({ taskId: step.taskId, status, reason });
  }

  /**
   * Ends a step's attempt with an output (operators that complete at decide time, a JOIN...).
   * An output past the payload limit is not stored: the attempt fails for good instead, and the
   * answer is false (the operator then reports the failure: see `failedStep`).
   */
  finish(ref: string, status: TaskStatus, output: JsonObject, reason: string | null = null): boolean {
    const step = this.edit(ref);
    if (!step) return false;
    const tooBig = isTerminalTask(status) ? this.payloadProblem(output, `the output of '${ref}'`) : null;
    if (tooBig) {
      status = TaskStatus.FAILED_WITH_TERMINAL_ERROR;
      output = {};
      reason = tooBig;
    }
    step.status = status;
    step.reason = cut(reason);
    step.endTime = this.now;
    const rec = this.newById.get(step.taskId);
    if (rec) {
      rec.status = status;
      rec.outputData = output;
      rec.reasonForIncompletion = reason;
      rec.endTime = this.now;
      rec.applied = true;
    } else {
      this.taskOutputs.delete(step.taskId);
      this.closeTasks.push({ taskId: step.taskId, status, reason, output });
      this.payloadOverrides.set(step.taskId, { inputData: this.payloadOf(step).inputData, outputData: output });
    }
    return !tooBig;
  }

  /** Replaces the output of an open attempt the decider holds (a DO_WHILE records each iteration). */
  setOutput(ref: string, output: JsonObject): void {
    const step = this.step(ref);
    if (!step) return;
    const rec = this.newById.get(step.taskId);
    if (rec) {
      rec.outputData = output;
      return;
    }
    this.taskOutputs.set(step.taskId, output);
    this.payloadOverrides.set(step.taskId, { inputData: this.payloadOf(step).inputData, outputData: output });
  }

  /** The record this decision created for an attempt, if it did. */
  newTask(taskId: string): TaskRecord | undefined {
    return this.newById.get(taskId);
  }
}

/** The part of a reason a step keeps (the attempt's record keeps all of it). */
export function cut(reason: string | null): string | null {
  return reason !== null && reason.length > MAX_STEP_REASON ? `${reason.slice(0, MAX_STEP_REASON)}...` : reason;
}
