import type { TaskDef, TaskTimeoutPolicy, WorkflowDef } from '@baton/definitions';
import type { Logger } from 'pino';
import { decide, decideTermination, type DecideOutcome } from '../decider';
import type { ExhaustedAttempt } from '../decider/context';
import { pendingFailureWorkflow } from '../decider/failure-workflow';
import { decideRetry, retryableWorkflow } from '../decider/retry-workflow';
import { newAttemptToken, newWorkflowId } from '../domain/ids';
import type { JsonObject, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalWorkflow, type ReportableStatus } from '../domain/status';
import type { TimeoutKind } from '../domain/timeouts';
import { BatonError, ConflictError, NotFoundError, StaleAttemptError, ValidationError } from '../errors';
import { loadSandbox, noScripts, type ScriptEvaluator } from '../sandbox';
import type { Store } from '../store/port';
import type { Clock } from './clock';
import { launchFailureWorkflow } from './failure-workflow';
import { FlowControl, type Throttle } from './flow-control';
import { KeyedLock } from './keyed-lock';
import { SystemTasks } from './system-tasks';
import { TaskDefCache } from './task-defs';
import { Waiters } from './waiters';
import { WorkflowEvents } from './workflow-events';

export interface EngineOptions {
  /** How often a parked long poll re-checks the store without a local wake-up. */
  pollRecheckMs: number;
  /** Lease when a task has no definition (Conductor's responseTimeoutSeconds default). */
  defaultResponseTimeoutMs: number;
  taskDefRefreshMs: number;
  maxPollCount: number;
  maxPollTimeoutMs: number;
  /** Limits of one user script in the sandbox. */
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

export const defaultEngineOptions: EngineOptions = {
  pollRecheckMs: 1000,
  defaultResponseTimeoutMs: 3_600_000,
  taskDefRefreshMs: 2000,
  maxPollCount: 100,
  maxPollTimeoutMs: 30_000,
  scriptTimeoutMs: 100,
  scriptMemoryMb: 32,
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
  /** A deterministic id (failure workflows): starting it again is a no-op that answers the same id. */
  workflowId?: string;
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
  /** An attempt hit a time limit: timed out, or only alerted (ALERT_ONLY). */
  onTaskTimeout?(task: TaskRecord, kind: TimeoutKind, policy: TaskTimeoutPolicy): void;
  /** Steps that gave up: retries exhausted or a terminal failure (poison tasks). */
  onTasksExhausted?(attempts: readonly ExhaustedAttempt[]): void;
  onWorkflowTimeoutAlert?(wf: WorkflowRecord): void;
  /** A poll claimed less than asked because of a flow-control limit. */
  onClaimsThrottled?(taskType: string, by: Throttle): void;
}

/**
 * The runtime: applies the decider's outcomes to the store and runs the poll/report protocol.
 * Everything here is I/O orchestration; every choice about what happens next is the decider's.
 */
export class Engine {
  readonly waiters = new Waiters();
  /** Committed decisions, per workflow, for in-process waiters (runtime/execute.ts). */
  readonly workflowEvents = new WorkflowEvents();
  readonly taskDefs: TaskDefCache;
  readonly flow: FlowControl;
  private readonly locks = new KeyedLock();
  private scripts: ScriptEvaluator = noScripts;
  /** Child workflows, WAIT timers, REST completion of engine-held tasks (system-tasks/). */
  readonly systemTasks: SystemTasks = new SystemTasks(this);

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly log: Logger,
    readonly options: EngineOptions = defaultEngineOptions,
    readonly hooks: EngineHooks = {},
  ) {
    this.taskDefs = new TaskDefCache(store, options.taskDefRefreshMs);
    this.flow = new FlowControl(store);
  }

  async init(): Promise<void> {
    this.scripts = await loadSandbox({ timeoutMs: this.options.scriptTimeoutMs, memoryMb: this.options.scriptMemoryMb });
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
      workflowId: req.workflowId ?? newWorkflowId(),
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
    const out = decide({ workflow: wf, results: [], taskDef: this.taskDefs.get, now, scripts: this.scripts });
    const first: WorkflowRecord = { ...wf, ...out.commit.workflow };
    const closed = new Map(out.commit.closeTasks.map((c) => [c.taskId, c]));
    const tasks = out.commit.newTasks.map((t) => {
      const c = closed.get(t.taskId);
      return c ? { ...t, status: c.status, reasonForIncompletion: c.reason, outputData: c.output ?? t.outputData, endTime: now } : t;
    });
    if (!(await this.store.createWorkflow(first, tasks))) {
      if (req.workflowId) return wf.workflowId; // started before: the repeat is a no-op
      throw new ConflictError(`workflow id '${wf.workflowId}' exists`);
    }
    this.afterCommit(first, out);
    if (pendingFailureWorkflow(first)) await this.launchFailureWorkflowQuietly(first);
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
        // An ended workflow whose failure workflow is still to start (a crash came between).
        if (pendingFailureWorkflow(wf)) {
          if (!(await launchFailureWorkflow(this, wf))) return;
          known = undefined;
          continue;
        }
        const results = known && conflicts === 0 ? known : await this.store.unappliedResults(workflowId);
        const now = this.clock.now();
        await this.taskDefs.fresh(now);
        const out = decide({ workflow: wf, results, taskDef: this.taskDefs.get, now, scripts: this.scripts });
        if (!out.changed && out.commit.appliedTaskIds.length === 0) return;
        if (await this.store.commitDecision({ ...out.commit, expectedRevision: wf.revision })) {
          this.hooks.onDecision?.(conflicts);
          const next = { ...wf, ...out.commit.workflow, revision: wf.revision + 1 };
          this.afterCommit(next, out);
          if (pendingFailureWorkflow(next)) await this.launchFailureWorkflowQuietly(next);
          return;
        }
        conflicts++;
        if (conflicts > 50) throw new ConflictError(`workflow '${workflowId}' could not be decided after ${conflicts} conflicts`);
      }
    });
  }

  private async launchFailureWorkflowQuietly(wf: WorkflowRecord): Promise<void> {
    try {
      await launchFailureWorkflow(this, wf);
    } catch (err) {
      this.log.warn({ err, workflowId: wf.workflowId }, 'could not start the failure workflow yet; the sweeper will retry');
    }
  }

  /**
   * An operator's retry of an ended workflow (Conductor's POST /workflow/{id}/retry): the failed
   * step gets a new attempt and the workflow is RUNNING again (decider/retry-workflow.ts).
   */
  async retryWorkflow(workflowId: string): Promise<void> {
    await this.locks.run(workflowId, async () => {
      for (let tries = 0; tries < 20; tries++) {
        const wf = await this.getWorkflow(workflowId);
        if (!retryableWorkflow.has(wf.status)) {
          throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only FAILED, TIMED_OUT or TERMINATED workflows can be retried`);
        }
        // Its compensation was due when it failed: start it first, so the retry cannot lose it.
        if (pendingFailureWorkflow(wf)) {
          await launchFailureWorkflow(this, wf);
          continue;
        }
        const now = this.clock.now();
        await this.taskDefs.fresh(now);
        const out = decideRetry(wf, this.taskDefs.get, now);
        if (!out) throw new ConflictError(`workflow '${workflowId}' has no failed step to retry`);
        if (await this.store.commitDecision({ ...out.commit, expectedRevision: wf.revision })) {
          this.log.info({ workflowId, retried: out.commit.newTasks.map((t) => t.referenceTaskName) }, 'workflow retried');
          this.afterCommit({ ...wf, ...out.commit.workflow, revision: wf.revision + 1 }, out);
          return;
        }
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to retry; retry`);
    });
    await this.advance(workflowId);
  }

  /**
   * Bulk retry after a fix: retries every FAILED or TIMED_OUT workflow (of `workflowIds`, or of
   * the newest poison tasks of the type) whose failed step is of `taskType`.
   */
  async retryFailedTasks(taskType: string, workflowIds?: string[]): Promise<{ retried: string[]; skipped: Array<{ workflowId: string; reason: string }> }> {
    const ids = workflowIds ?? [...new Set((await this.store.failedTasks(taskType, 1000)).map((t) => t.workflowInstanceId))];
    const retried: string[] = [];
    const skipped: Array<{ workflowId: string; reason: string }> = [];
    for (const workflowId of ids) {
      const wf = await this.store.getWorkflow(workflowId);
      const why = !wf
        ? 'not found'
        : wf.status !== WorkflowStatus.FAILED && wf.status !== WorkflowStatus.TIMED_OUT
          ? `is ${wf.status}`
          : wf.failedReferenceTaskNames.some((ref) => wf.state.steps[ref]?.taskType === taskType)
            ? null
            : `its failed step is not of type ${taskType}`;
      if (why) {
        skipped.push({ workflowId, reason: why });
        continue;
      }
      try {
        await this.retryWorkflow(workflowId);
        retried.push(workflowId);
      } catch (err) {
        if (!(err instanceof BatonError)) throw err;
        skipped.push({ workflowId, reason: err.message });
      }
    }
    return { retried, skipped };
  }

  /**
   * Operators' actions outside this class (runtime/lifecycle.ts) decide and commit the way
   * advance does: with the engine's sandbox, under its per-workflow lock, then afterCommit.
   */
  decideFor(workflow: WorkflowRecord, results: readonly TaskRecord[], now: number): DecideOutcome {
    return decide({ workflow, results, taskDef: this.taskDefs.get, now, scripts: this.scripts });
  }

  exclusive<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(workflowId, fn);
  }

  /** Side effects of a committed decision: wake-ups, hooks, system tasks, in-process waiters. */
  afterCommit(wf: WorkflowRecord, out: DecideOutcome): void {
    const now = out.commit.now;
    if (out.exhausted?.length) {
      for (const e of out.exhausted) this.log.warn({ workflowId: wf.workflowId, taskId: e.taskId, taskType: e.taskType, reason: e.reason }, 'task gave up');
      this.hooks.onTasksExhausted?.(out.exhausted);
    }
    if (out.commit.workflow.timeoutAlertedAt) {
      this.log.warn({ workflowId: wf.workflowId, workflowName: wf.workflowName }, 'workflow exceeded its timeoutSeconds (ALERT_ONLY: it goes on)');
      this.hooks.onWorkflowTimeoutAlert?.(wf);
    }
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
    this.systemTasks.afterCommit(wf, out);
    this.workflowEvents.notify({ workflow: { ...wf, ...out.commit.workflow }, newTasks: out.commit.newTasks });
  }

  // ---- tasks

  /**
   * Long poll: claims up to `count` tasks, waiting up to `timeoutMs` for one to be scheduled.
   * The task type's flow control (concurrentExecLimit, rate limit) applies (flow-control.ts), and
   * its responseTimeoutSeconds and timeoutSeconds are read now, when their clocks start.
   */
  private readonly activePolls = new Set<Promise<unknown>>();

  /** Waits (bounded) for long polls still running, so that the store is not closed under them. */
  async quiesce(maxMs: number): Promise<void> {
    if (this.activePolls.size === 0) return;
    await Promise.race([Promise.allSettled([...this.activePolls]), new Promise((r) => setTimeout(r, maxMs).unref())]);
  }

  poll(taskType: string, workerId: string, count: number, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord[]> {
    const p = this.pollOnce(taskType, workerId, count, timeoutMs, signal);
    this.activePolls.add(p);
    void p.finally(() => this.activePolls.delete(p)).catch(() => undefined);
    return p;
  }

  private async pollOnce(taskType: string, workerId: string, count: number, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord[]> {
    const deadline = this.clock.now() + Math.min(timeoutMs, this.options.maxPollTimeoutMs);
    const n = Math.max(1, Math.min(count, this.options.maxPollCount));
    for (;;) {
      const now = this.clock.now();
      await this.taskDefs.fresh(now);
      const def = this.taskDefs.get(taskType);
      const out = await this.flow.claim(def, {
        taskType,
        count: n,
        workerId,
        now,
        leaseMs: this.leaseMsOf(def),
        timeoutMs: (def?.timeoutSeconds ?? 0) * 1000,
        newToken: newAttemptToken,
      });
      if (out.throttled) this.hooks.onClaimsThrottled?.(taskType, out.throttled.by);
      const left = deadline - this.clock.now();
      if (out.tasks.length > 0 || left <= 0 || signal?.aborted) return out.tasks;
      // A rate-limited type waits for its next window; a concurrency-limited one for a report.
      const retryIn = out.throttled?.retryAt ? Math.max(1, out.throttled.retryAt - now) : Infinity;
      await this.waiters.wait(taskType, Math.min(left, this.options.pollRecheckMs, retryIn), signal);
    }
  }

  private leaseMsOf(def: TaskDef | undefined): number {
    return def?.responseTimeoutSeconds ? def.responseTimeoutSeconds * 1000 : this.options.defaultResponseTimeoutMs;
  }

  async report(r: TaskResultInput): Promise<void> {
    const now = this.clock.now();
    const logs = r.logs;
    if (r.status === 'IN_PROGRESS') {
      const task = await this.store.getTask(r.taskId);
      const def = task ? this.taskDefs.get(task.taskDefName) : undefined;
      const callbackAfterMs = r.extendLease ? 0 : r.callbackAfterSeconds * 1000;
      const pollTimeoutMs = (def?.pollTimeoutSeconds ?? 0) * 1000;
      const out = await this.store.progressAttempt({
        taskId: r.taskId,
        attemptToken: r.attemptToken,
        workerId: r.workerId,
        outputData: r.outputData,
        logs,
        callbackAfterMs,
        leaseMs: this.leaseMsOf(def),
        // Back in the queue, the attempt must be claimed again within pollTimeoutSeconds of visibility.
        pollDeadlineAt: callbackAfterMs > 0 && pollTimeoutMs > 0 ? now + callbackAfterMs + pollTimeoutMs : 0,
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
    // A slot under concurrentExecLimit is free: a parked poll of the type can claim at once.
    if (this.taskDefs.get(out.task.taskType)?.concurrentExecLimit) this.waiters.notify(out.task.taskType);
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
