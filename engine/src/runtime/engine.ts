import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { Logger } from 'pino';
import { decide, decideTermination, type DecideOutcome } from '../decider';
import { newAttemptToken, newWorkflowId } from '../domain/ids';
import type { JsonObject, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalWorkflow, type ReportableStatus } from '../domain/status';
import { ConflictError, NotFoundError, StaleAttemptError, ValidationError } from '../errors';
import type { Store } from '../store/port';
import type { Clock } from './clock';
import { KeyedLock } from './keyed-lock';
import { TaskDefCache } from './task-defs';
import { Waiters } from './waiters';

export interface EngineOptions {
  /** How often a parked long poll re-checks the store without a local wake-up. */
  pollRecheckMs: number;
  /** Lease when a task has no definition (Conductor's responseTimeoutSeconds default). */
  defaultResponseTimeoutMs: number;
  taskDefRefreshMs: number;
  maxPollCount: number;
  maxPollTimeoutMs: number;
}

export const defaultEngineOptions: EngineOptions = {
  pollRecheckMs: 1000,
  defaultResponseTimeoutMs: 3_600_000,
  taskDefRefreshMs: 2000,
  maxPollCount: 100,
  maxPollTimeoutMs: 30_000,
};

export interface StartRequest {
  name: string;
  version?: number;
  input?: JsonObject;
  correlationId?: string | null;
  priority?: number;
  parentWorkflowId?: string | null;
  parentWorkflowTaskId?: string | null;
  /** An inline definition (Conductor's workflowDef in StartWorkflowRequest). */
  workflowDef?: WorkflowDef;
}

export interface TaskResultInput {
  taskId: string;
  workflowInstanceId?: string;
  workerId: string | null;
  attemptToken: string | null;
  status: ReportableStatus;
  outputData: JsonObject;
  reasonForIncompletion: string | null;
  callbackAfterSeconds: number;
  extendLease: boolean;
  logs: Array<{ log: string; createdTime: number }>;
}

/** Counts what the engine does, for metrics and benchmarks; incremented, never read on a hot path. */
export interface EngineHooks {
  onTasksScheduled?(tasks: readonly TaskRecord[]): void;
  onWorkflowEnded?(wf: WorkflowRecord): void;
  onDecision?(conflicts: number): void;
}

/**
 * The runtime: applies the decider's outcomes to the store and runs the poll/report protocol.
 * Everything here is I/O orchestration; every choice about what happens next is the decider's.
 */
export class Engine {
  readonly waiters = new Waiters();
  readonly taskDefs: TaskDefCache;
  private readonly locks = new KeyedLock();

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly log: Logger,
    readonly options: EngineOptions = defaultEngineOptions,
    private readonly hooks: EngineHooks = {},
  ) {
    this.taskDefs = new TaskDefCache(store, options.taskDefRefreshMs);
  }

  async init(): Promise<void> {
    await this.taskDefs.reload(this.clock.now());
  }

  // ---- definitions

  async putTaskDefs(defs: TaskDef[], changedBy: string): Promise<void> {
    await this.store.putTaskDefs(defs, changedBy, this.clock.now());
    this.taskDefs.put(defs);
  }

  async deleteTaskDef(name: string, changedBy: string): Promise<void> {
    if (!(await this.store.deleteTaskDef(name, changedBy, this.clock.now()))) throw new NotFoundError(`task definition '${name}' not found`);
    this.taskDefs.delete(name);
  }

  // ---- workflows

  async startWorkflow(req: StartRequest): Promise<string> {
    const def = req.workflowDef ?? (await this.store.getWorkflowDef(req.name, req.version));
    if (!def) {
      const which = req.version === undefined ? `'${req.name}'` : `'${req.name}' version ${req.version}`;
      throw new NotFoundError(`workflow definition ${which} not found`);
    }
    const input = req.input ?? {};
    const missing = (def.inputParameters ?? []).filter((p) => !(p in input));
    if (missing.length && def.inputParameters?.length) {
      // Conductor treats inputParameters as documentation; Baton checks them, as users expect.
      throw new ValidationError(`workflow input is missing ${missing.join(', ')}`, missing.map((m) => ({ pointer: `/input/${m}`, message: 'is required by the workflow definition' })));
    }
    const now = this.clock.now();
    await this.taskDefs.fresh(now);
    const wf: WorkflowRecord = {
      workflowId: newWorkflowId(),
      workflowName: def.name,
      workflowVersion: def.version ?? 1,
      status: WorkflowStatus.RUNNING,
      input: { ...(def.inputTemplate ?? {}), ...input },
      output: {},
      variables: structuredClone(def.variables ?? {}) as JsonObject,
      correlationId: req.correlationId ?? null,
      priority: req.priority ?? 0,
      createTime: now,
      startTime: now,
      endTime: 0,
      updateTime: now,
      reasonForIncompletion: null,
      failedReferenceTaskNames: [],
      parentWorkflowId: req.parentWorkflowId ?? null,
      parentWorkflowTaskId: req.parentWorkflowTaskId ?? null,
      definition: def,
      state: { seq: 0, steps: {} },
      wakeAt: 0,
      revision: 0,
    };
    const out = decide({ workflow: wf, results: [], taskDef: this.taskDefs.get, now });
    const first: WorkflowRecord = { ...wf, ...out.commit.workflow };
    const closed = new Map(out.commit.closeTasks.map((c) => [c.taskId, c]));
    const tasks = out.commit.newTasks.map((t) => {
      const c = closed.get(t.taskId);
      return c ? { ...t, status: c.status, reasonForIncompletion: c.reason, outputData: c.output ?? t.outputData, endTime: now } : t;
    });
    await this.store.createWorkflow(first, tasks);
    this.afterCommit(first, out);
    return wf.workflowId;
  }

  async getWorkflow(workflowId: string): Promise<WorkflowRecord> {
    const wf = await this.store.getWorkflow(workflowId);
    if (!wf) throw new NotFoundError(`workflow '${workflowId}' not found`);
    return wf;
  }

  async terminate(workflowId: string, reason: string): Promise<void> {
    await this.locks.run(workflowId, async () => {
      for (let tries = 0; tries < 20; tries++) {
        const wf = await this.getWorkflow(workflowId);
        if (isTerminalWorkflow(wf.status)) throw new ConflictError(`workflow '${workflowId}' is already ${wf.status}`);
        const out = decideTermination(wf, reason, this.clock.now());
        if (await this.store.commitDecision({ ...out.commit, expectedRevision: wf.revision })) {
          this.afterCommit({ ...wf, ...out.commit.workflow }, out);
          return;
        }
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to terminate; retry`);
    });
  }

  /**
   * Runs the decider for one workflow and commits its outcome, re-deciding on a revision conflict.
   * `known` are results the caller just recorded (saves reading them back on the common path).
   */
  async advance(workflowId: string, known?: TaskRecord[]): Promise<void> {
    await this.locks.run(workflowId, async () => {
      let conflicts = 0;
      for (;;) {
        const wf = await this.store.getWorkflow(workflowId);
        if (!wf) return;
        const results = known && conflicts === 0 ? known : await this.store.unappliedResults(workflowId);
        const now = this.clock.now();
        await this.taskDefs.fresh(now);
        const out = decide({ workflow: wf, results, taskDef: this.taskDefs.get, now });
        if (!out.changed && out.commit.appliedTaskIds.length === 0) return;
        if (await this.store.commitDecision({ ...out.commit, expectedRevision: wf.revision })) {
          this.hooks.onDecision?.(conflicts);
          this.afterCommit({ ...wf, ...out.commit.workflow, revision: wf.revision + 1 }, out);
          return;
        }
        conflicts++;
        if (conflicts > 50) throw new ConflictError(`workflow '${workflowId}' could not be decided after ${conflicts} conflicts`);
      }
    });
  }

  private afterCommit(wf: WorkflowRecord, out: DecideOutcome): void {
    const now = out.commit.now;
    const queued = out.commit.newTasks.filter((t) => t.queued && t.status === TaskStatus.SCHEDULED);
    if (queued.length) {
      const byType = new Map<string, number>();
      for (const t of queued) {
        if (t.visibleAt <= now) byType.set(t.taskType, (byType.get(t.taskType) ?? 0) + 1);
        else this.waiters.notifyAt(t.taskType, t.visibleAt, now);
      }
      for (const [type, n] of byType) this.waiters.notify(type, n);
      this.hooks.onTasksScheduled?.(queued);
    }
    if (out.commit.workflow.status && isTerminalWorkflow(out.commit.workflow.status)) {
      this.log.info({ workflowId: wf.workflowId, status: wf.status }, 'workflow ended');
      this.hooks.onWorkflowEnded?.(wf);
    }
  }

  // ---- tasks

  /** Long poll: claims up to `count` tasks, waiting up to `timeoutMs` for one to be scheduled. */
  async poll(taskType: string, workerId: string, count: number, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord[]> {
    const deadline = this.clock.now() + Math.min(timeoutMs, this.options.maxPollTimeoutMs);
    const n = Math.max(1, Math.min(count, this.options.maxPollCount));
    for (;;) {
      const now = this.clock.now();
      await this.taskDefs.fresh(now);
      const def = this.taskDefs.get(taskType);
      const leaseMs = def?.responseTimeoutSeconds ? def.responseTimeoutSeconds * 1000 : this.options.defaultResponseTimeoutMs;
      const claimed = await this.store.claimTasks({ taskType, count: n, workerId, now, leaseMs, newToken: newAttemptToken });
      const left = deadline - this.clock.now();
      if (claimed.length > 0 || left <= 0 || signal?.aborted) return claimed;
      await this.waiters.wait(taskType, Math.min(left, this.options.pollRecheckMs), signal);
    }
  }

  async report(r: TaskResultInput): Promise<void> {
    const now = this.clock.now();
    const logs = r.logs;
    if (r.status === 'IN_PROGRESS') {
      const task = await this.store.getTask(r.taskId);
      const def = task ? this.taskDefs.get(task.taskDefName) : undefined;
      const leaseMs = def?.responseTimeoutSeconds ? def.responseTimeoutSeconds * 1000 : this.options.defaultResponseTimeoutMs;
      const out = await this.store.progressAttempt({
        taskId: r.taskId,
        attemptToken: r.attemptToken,
        workerId: r.workerId,
        outputData: r.outputData,
        logs,
        callbackAfterMs: r.extendLease ? 0 : r.callbackAfterSeconds * 1000,
        leaseMs,
        now,
      });
      this.rejectUnlessApplied(out, r);
      if (out.kind === 'applied' && out.task.status === TaskStatus.SCHEDULED) {
        this.waiters.notifyAt(out.task.taskType, out.task.visibleAt, now);
      }
      return;
    }
    const out = await this.store.completeAttempt({
      taskId: r.taskId,
      attemptToken: r.attemptToken,
      workerId: r.workerId,
      status: r.status,
      outputData: r.outputData,
      reasonForIncompletion: r.reasonForIncompletion,
      logs,
      now,
    });
    this.rejectUnlessApplied(out, r);
    if (out.kind !== 'applied') return;
    // The result is durable now. Deciding can fail (store hiccup); the sweeper then finds the
    // result unapplied and decides again, so the report is still acknowledged.
    try {
      await this.advance(out.task.workflowInstanceId, [out.task]);
    } catch (err) {
      this.log.warn({ err, workflowId: out.task.workflowInstanceId, taskId: r.taskId }, 'decide after report failed; the sweeper will retry');
    }
  }

  private rejectUnlessApplied(out: Awaited<ReturnType<Store['completeAttempt']>>, r: TaskResultInput): void {
    if (out.kind === 'not_found') throw new NotFoundError(`task '${r.taskId}' not found`);
    if (out.kind === 'stale') {
      const t = out.task;
      const why =
        t.status === TaskStatus.IN_PROGRESS
          ? 'the task was claimed by another attempt'
          : t.status === TaskStatus.SCHEDULED
            ? 'the task is not claimed (its lease lapsed or it was re-queued)'
            : `the attempt is already ${t.status}${t.reasonForIncompletion ? ` (${t.reasonForIncompletion})` : ''}`;
      throw new StaleAttemptError(`report rejected for task '${r.taskId}': ${why}`);
    }
  }

  async queueSizes(types: string[]): Promise<Record<string, number>> {
    return this.store.queueSizes(types, this.clock.now());
  }
}
