import { resolveParameters, type ExpressionContext, type TaskDef, type WorkflowTask } from '@baton/definitions';
import { taskIdFor } from '../domain/ids';
import { rankOf } from '../domain/priority';
import type { DeciderState, JsonObject, StepState, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, isTerminalTask } from '../domain/status';

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
}

/**
 * The mutable scratchpad of one decision. Operators read the workflow through it and record what
 * should happen; `decide` turns it into an outcome. Nothing here performs I/O.
 */
export class DecideContext {
  readonly state: DeciderState;
  readonly newTasks: TaskRecord[] = [];
  readonly closeTasks: Array<{ taskId: string; status: TaskStatus; reason: string | null; output?: JsonObject }> = [];
  variables: JsonObject;
  private exprCache: ExpressionContext | null = null;

  constructor(
    readonly workflow: WorkflowRecord,
    readonly taskDef: (name: string) => TaskDef | undefined,
    readonly now: number,
  ) {
    this.state = structuredClone(workflow.state);
    this.variables = structuredClone(workflow.variables);
  }

  step(ref: string): StepState | undefined {
    return this.state.steps[ref];
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
      tasks[ref] = {
        input: s.input,
        output: s.output,
        status: s.status,
        taskId: s.taskId,
        retryCount: s.retryCount,
        iteration: s.iteration,
        reasonForIncompletion: s.reason,
        ...(s.extra ?? {}),
      };
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
    const iteration = opts.iteration ?? 0;
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
    };
    this.newTasks.push(record);
    const prev = this.state.steps[ref];
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
      firstScheduledTime: opts.firstScheduledTime ?? (retryCount > 0 && prev ? prev.firstScheduledTime : this.now),
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
