import { resolveParameters, type ExpressionContext, type TaskDef, type WorkflowTask } from '@baton/definitions';
import { taskIdFor } from '../domain/ids';
import { rankOf } from '../domain/priority';
import type { DeciderState, JsonObject, StepState, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, isTerminalTask } from '../domain/status';
import type { TaskTimeoutPolicy } from '@baton/definitions';
import { noScripts, type ScriptEvaluator } from '../sandbox/types';

/** How one step (and everything nested in it) stands after evaluation. */
export type StepResult =
  | { kind: 'done' }
  | { kind: 'blocked' }
  | { kind: 'failed'; ref: string; reason: string; timedOut?: boolean }
  | { kind: 'terminate'; status: 'COMPLETED' | 'FAILED' | 'TERMINATED'; reason: string | null; output: JsonObject | null };

export const DONE: StepResult = { kind: 'done' };
export const BLOCKED: StepResult = { kind: 'blocked' };


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

/**
 * The mutable scratchpad of one decision. Operators read the workflow through it and record what
 * should happen; `decide` turns it into an outcome. Nothing here performs I/O.
 */
export class DecideContext {
  readonly state: DeciderState;
  readonly newTasks: TaskRecord[] = [];
  readonly closeTasks: Array<{ taskId: string; status: TaskStatus; reason: string | null; output?: JsonObject }> = [];
  /** Attempts after which their step gave up, marked on their records by the commit. */
  readonly exhausted: ExhaustedAttempt[] = [];
  variables: JsonObject;
  /** DO_WHILE iteration that steps scheduled now belong to (0 outside loops). */
  iteration = 0;
  /** Earliest time this workflow must be decided again without any event (0: none requested). */
  wakeAt = 0;
  /** Loop iterations this decision may still run without waiting for a task (see do-while.ts). */
  loopBudget = 1000;
  /**
   * Walks a nested list of steps (SWITCH cases, FORK branches, DO_WHILE bodies) like the
   * workflow's own list. `decide` wires it to evaluateList, which operators cannot import
   * without an import cycle (evaluate -> operators -> evaluate).
   */
  walk: (tasks: readonly WorkflowTask[]) => StepResult = () => ({ kind: 'failed', ref: '', reason: 'nested steps cannot be evaluated here' });
  private exprCache: ExpressionContext | null = null;

  constructor(
    readonly workflow: WorkflowRecord,
    readonly taskDef: (name: string) => TaskDef | undefined,
    readonly now: number,
    /** The sandbox for user scripts (SWITCH and DO_WHILE conditions, INLINE). */
    readonly scripts: ScriptEvaluator = noScripts,
  ) {
    this.state = structuredClone(workflow.state);
    this.variables = structuredClone(workflow.variables);
  }

  step(ref: string): StepState | undefined {
    return this.state.steps[ref];
  }

  /** Asks for another decision at `at` at the latest (a loop that yielded, a timer). */
  requestWake(at: number): void {
    this.wakeAt = this.wakeAt === 0 ? at : Math.min(this.wakeAt, at);
  }

  /** Forgets steps so that they are scheduled afresh (the next iteration of a loop). */
  forget(refs: Iterable<string>): void {
    for (const ref of refs) delete this.state.steps[ref];
    this.touched();
  }

  /** Invalidate cached expression roots after a step or variable changes. */
  touched(): void {
    this.exprCache = null;
  }

  expressions(): ExpressionContext {
    if (this.exprCache) return this.exprCache;
    const wf = this.workflow;
    const tasks: ExpressionContext['tasks'] = {};
    for (const [ref, s] of Object.entries(this.state.steps)) {
      const root = (tasks[ref] = {
        input: s.input,
        output: s.output,
        status: s.status,
        taskId: s.taskId,
        retryCount: s.retryCount,
        iteration: s.iteration,
        reasonForIncompletion: s.reason,
        ...(s.extra ?? {}),
      });
      // Inside a loop, `${ref__3.output}` names the current iteration's step as well.
      if (s.iteration > 0) tasks[`${ref}__${s.iteration}`] = root;
    }
    this.exprCache = {
      workflow: {
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
      },
      tasks,
    };
    return this.exprCache;
  }

  resolve(params: unknown): JsonObject {
    const out = resolveParameters(params ?? {}, this.expressions());
    return out !== null && typeof out === 'object' && !Array.isArray(out) ? (out as JsonObject) : {};
  }

  /** Creates a new attempt of a step and makes it the step's latest attempt. */
  schedule(wt: WorkflowTask, opts: ScheduleOptions = {}): StepState {
    const wf = this.workflow;
    const ref = wt.taskReferenceName;
    const iteration = opts.iteration ?? this.iteration;
    const retryCount = opts.retryCount ?? 0;
    const taskId = taskIdFor(wf.workflowId, ref, iteration, retryCount);
    const status = opts.status ?? TaskStatus.SCHEDULED;
    const input = opts.input ?? this.resolve(wt.inputParameters);
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
      seq: ++this.state.seq,
      status,
      inputData: input,
      outputData: opts.output ?? {},
      reasonForIncompletion: opts.reason ?? null,
      queued: opts.queued ?? true,
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
      wakeAt: opts.wakeAt ?? 0,
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
    };
    const prev = this.state.steps[ref];
    const firstScheduledTime = opts.firstScheduledTime ?? (retryCount > 0 && prev ? prev.firstScheduledTime : this.now);
    const retryBase = opts.retryBase ?? (retryCount > 0 ? prev?.retryBase : undefined);
    if (opts.limits && status === TaskStatus.SCHEDULED) {
      const { pollTimeoutMs, totalTimeoutMs } = opts.limits;
      if (pollTimeoutMs > 0) record.pollDeadlineAt = visibleAt + pollTimeoutMs;
      if (totalTimeoutMs > 0) record.totalDeadlineAt = record.deadlineAt = firstScheduledTime + totalTimeoutMs;
    }
    this.newTasks.push(record);
    const step: StepState = {
      taskId,
      status,
      retryCount,
      iteration,
      taskType: record.taskType,
      input,
      output: record.outputData,
      reason: record.reasonForIncompletion,
      scheduledTime: this.now,
      startTime: record.startTime,
      endTime: record.endTime,
      firstScheduledTime,
      ...(retryBase !== undefined ? { retryBase } : {}),
      ...(opts.extra ? { extra: opts.extra } : {}),
    };
    this.state.steps[ref] = step;
    this.touched();
    return step;
  }

  /** Closes the latest attempt of a step that is not terminal yet (cancel on workflow end...). */
  close(ref: string, status: TaskStatus, reason: string | null): void {
    const s = this.state.steps[ref];
    if (!s || isTerminalTask(s.status)) return;
    s.status = status;
    s.reason = reason;
    s.endTime = this.now;
    this.closeTasks.push({ taskId: s.taskId, status, reason });
    this.touched();
  }

  /** Updates a step's own record in place (operators that complete at decide time). */
  finish(ref: string, status: TaskStatus, output: JsonObject, reason: string | null = null): void {
    const s = this.state.steps[ref];
    if (!s) return;
    s.status = status;
    s.output = output;
    s.reason = reason;
    s.endTime = this.now;
    const rec = this.newTasks.find((t) => t.taskId === s.taskId);
    if (rec) {
      rec.status = status;
      rec.outputData = output;
      rec.reasonForIncompletion = reason;
      rec.endTime = this.now;
      rec.applied = true;
    } else {
      this.closeTasks.push({ taskId: s.taskId, status, reason, output });
    }
    this.touched();
  }
}
