import type { TaskDef, TaskTimeoutPolicy, WorkflowDef, WorkflowTask } from '@baton/definitions';
import type { Logger } from 'pino';
import { decideTermination, defaultDecideLimits, definitionSize, type DecideLimits, type DecideOutcome, type Decision } from '../decider';
import type { WorkflowAction } from '../decider/actions';
import type { ExhaustedAttempt } from '../decider/context';
import { pendingFailureWorkflow } from '../decider/failure-workflow';
import { decideRetry, retryableWorkflow } from '../decider/retry-workflow';
import { newAttemptToken, newWorkflowId } from '../domain/ids';
import { emptyDeciderState, type JsonObject, type TaskRecord, type WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalWorkflow, type ReportableStatus } from '../domain/status';
import type { TimeoutKind } from '../domain/timeouts';
import { BatonError, ConflictError, LimitError, NotFoundError, StaleAttemptError, ValidationError } from '../errors';
import { externalPathOf, type ExternalPayloads } from '../payloads/external';
import { ScriptPool } from '../sandbox';
import type { ScriptRequest, ScriptResult } from '../sandbox/types';
import type { AttemptReport, CommitDecision, ReportOutcome, Store } from '../store/port';
import { applyDecision, DefinitionSnapshots, PayloadCache, storedOf, WorkflowCache } from './caches';
import type { Clock } from './clock';
import { Continuations } from './continuations';
import { DecisionRunner } from './decisions';
import { decisionGoesExternal, externalizeDecision, loadPayloads, reportedOutput, resolvedResults } from './external-payloads';
import { launchFailureWorkflow } from './failure-workflow';
import { payloadError } from './payload-limits';
import { FlowControl, type Throttle } from './flow-control';
import { KeyedLock } from './keyed-lock';
import { Listeners } from './listeners';
import { Reactions } from './reactions';
import { SystemTasks } from './system-tasks';
import { engineQueues, isEngineQueue, refuseEngineReport } from './system-tasks/engine-queues';
import { TaskDefCache } from './task-defs';
import { OutputSchemaGuard } from './output-schema';
import { useLinearPatterns } from './schema-patterns';
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
  /** Limits of one user script in the sandbox, and the threads running scripts. */
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
  scriptThreads: number;
  /** What one decision may do, and the limits that fail a workflow that asks for more (decider/limits.ts). */
  decide: DecideLimits;
  /** Wall time one decision may wait for its scripts before leaving the rest to the next decision. */
  scriptMsPerDecision: number;
  /** Child workflows, START_WORKFLOW targets and failure workflows, nested: past it a start is refused. */
  maxWorkflowDepth: number;
  /** Steps in one definition, nested ones included. */
  maxDefinitionTasks: number;
  /** Largest retryCount a task definition or a step may ask for. */
  maxRetryCount: number;
  /** Deepest nesting of a workflow input or a task output. */
  maxJsonDepth: number;
  /** Steps the workflow cache holds (a workflow weighs 1 + its steps). */
  workflowCacheSteps: number;
  /** Bytes of ended tasks' payloads the payload cache holds. */
  payloadCacheBytes: number;
  /** Lease of tasks the engine runs itself, renewed while they run (system-tasks/engine-queues.ts). */
  engineTaskLeaseMs: number;
}

export const defaultEngineOptions: EngineOptions = {
  pollRecheckMs: 1000,
  defaultResponseTimeoutMs: 3_600_000,
  taskDefRefreshMs: 2000,
  maxPollCount: 100,
  maxPollTimeoutMs: 30_000,
  scriptTimeoutMs: 100,
  scriptMemoryMb: 32,
  scriptThreads: 2,
  decide: defaultDecideLimits,
  scriptMsPerDecision: 250,
  maxWorkflowDepth: 32,
  maxDefinitionTasks: 10_000,
  maxRetryCount: 100,
  maxJsonDepth: 64,
  workflowCacheSteps: 500_000,
  payloadCacheBytes: 64 * 1024 * 1024,
  engineTaskLeaseMs: 15_000,
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
  /** How many workflows started this one, transitively (StoredWorkflow.depth); 0 for a client's start. */
  depth?: number;
  /** When `workflowId` exists: answer it ('return', the default) or refuse with 409 ('fail': idempotencyStrategy FAIL). */
  ifExists?: 'return' | 'fail';
  /** The idempotency key `workflowId` was derived from (runtime/reactions/idempotency.ts), for messages. */
  idempotencyKey?: string;
  /** A debounced definition may fold this start into the run it holds (clients, events, schedules; not child workflows). */
  foldable?: boolean;
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
  /** Came over REST: the engine's own queues' tasks are refused (system-tasks/engine-queues.ts). */
  external?: boolean;
  /** Conductor's field: the output was uploaded to this path of a WRITE location (docs/payloads.md). */
  externalOutputPayloadStoragePath?: string;
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
  /** A decision left work for the next one (it used its budget). */
  onDecisionYielded?(): void;
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
  /** Running workflows as this engine last left them (caches.ts): a hint, fenced by revisions. */
  readonly workflows: WorkflowCache;
  readonly definitions: DefinitionSnapshots;
  private readonly payloads: PayloadCache;
  private readonly locks = new KeyedLock();
  private scripts: ScriptPool | null = null;
  private decisions!: DecisionRunner;
  /** Workflows with work left by a decision's budget (continuations.ts). */
  readonly continuations: Continuations;
  /** Payloads above a threshold, kept in the payload store (docs/payloads.md); null: all inline. */
  external: ExternalPayloads | null = null;
  /** Child workflows, WAIT timers, REST completion of engine-held tasks (system-tasks/). */
  readonly systemTasks: SystemTasks = new SystemTasks(this);
  /** Events, signals, queries, schedules, per-key flow control (reactions/). */
  readonly reactions: Reactions = new Reactions(this);
  /** Status listeners (the outbox every commit carries) and alert rules (listeners/, docs/alerts.md). */
  readonly listeners: Listeners;
  /** Enforced outputSchemas of task definitions, checked before a report is recorded (output-schema.ts). */
  private readonly outputSchemas: OutputSchemaGuard;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly log: Logger,
    readonly options: EngineOptions = defaultEngineOptions,
    readonly hooks: EngineHooks = {},
  ) {
    useLinearPatterns();
    this.taskDefs = new TaskDefCache(store, options.taskDefRefreshMs);
    this.flow = new FlowControl(store);
    this.workflows = new WorkflowCache(options.workflowCacheSteps);
    this.payloads = new PayloadCache(options.payloadCacheBytes);
    this.definitions = new DefinitionSnapshots(store);
    this.continuations = new Continuations((id) => this.advance(id), log);
    this.listeners = new Listeners(this);
    this.outputSchemas = new OutputSchemaGuard({
      store,
      taskDefs: this.taskDefs,
      cachedDefinition: (id) => this.workflows.get(id)?.definition,
      // Read without filling the workflow cache: the report's own path decides how to load it.
      loadDefinition: async (id) => {
        const stored = await this.store.getWorkflow(id);
        return stored ? this.definitions.get(stored.definitionId) : null;
      },
    });
  }

  async init(): Promise<void> {
    const { scriptTimeoutMs, scriptMemoryMb, scriptThreads } = this.options;
    this.scripts = new ScriptPool({ timeoutMs: scriptTimeoutMs, memoryMb: scriptMemoryMb, threads: scriptThreads });
    await this.scripts.start();
    this.decisions = new DecisionRunner(
      { getTaskPayloads: (ids) => this.loadPayloads(ids) },
      this.payloads,
      this.taskDefs.get,
      this.scripts,
      this.options.decide,
      {
        scriptMs: this.options.scriptMsPerDecision,
      },
    );
    await this.taskDefs.reload(this.clock.now());
  }

  /** Stops the engine's own background work (continuations, script threads); the store stays open. */
  async close(): Promise<void> {
    await this.continuations.stop();
    await this.listeners.stop();
    await this.reactions.close();
    await this.scripts?.close();
  }

  /** Turns external payload storage on (server.ts, before the engine serves anything). */
  useExternalPayloads(external: ExternalPayloads): void {
    this.external = external;
  }

  /** Task payloads with external references resolved (runtime/external-payloads.ts). */
  loadPayloads(ids: readonly string[]): ReturnType<Store['getTaskPayloads']> {
    return loadPayloads(this.store, this.external, ids);
  }

  /** Evaluates a user expression on the script pool, off the event loop (handler conditions, event matches). */
  evaluateScript(req: ScriptRequest, owner: string): Promise<ScriptResult> {
    return this.scripts ? this.scripts.evaluate(req, owner) : Promise.resolve({ ok: false, error: 'the script sandbox is not started' });
  }

  /** Decisions, passes, payload loads and scripts so far (metrics, benchmarks). */
  get decisionStats(): DecisionRunner['stats'] {
    return this.decisions.stats;
  }

  get scriptStats(): ScriptPool['stats'] | null {
    return this.scripts?.stats ?? null;
  }

  // ---- definitions

  async putTaskDefs(defs: TaskDef[], changedBy: string): Promise<void> {
    const tooMany = defs.findIndex((d) => d.retryCount > this.options.maxRetryCount);
    if (tooMany >= 0) {
      throw new ValidationError(
        `retryCount ${defs[tooMany]?.retryCount} is over the limit of ${this.options.maxRetryCount} (BATON_MAX_RETRY_COUNT)`,
        [{ pointer: defs.length > 1 ? `/${tooMany}/retryCount` : '/retryCount', message: `must be at most ${this.options.maxRetryCount}` }],
      );
    }
    await this.store.putTaskDefs(defs, changedBy, this.clock.now());
    this.taskDefs.put(defs);
  }

  async deleteTaskDef(name: string, changedBy: string): Promise<void> {
    if (!(await this.store.deleteTaskDef(name, changedBy, this.clock.now())))
      throw new NotFoundError(`task definition '${name}' not found`);
    this.taskDefs.delete(name);
  }

  /**
   * The engine's limits on a workflow definition (steps, retries), checked when one is registered
   * or given inline; each problem names the limit. Empty when it passes.
   */
  definitionProblems(def: WorkflowDef, base = ''): Array<{ pointer: string; message: string }> {
    const problems: Array<{ pointer: string; message: string }> = [];
    const size = definitionSize(def);
    if (size > this.options.maxDefinitionTasks) {
      problems.push({
        pointer: `${base}/tasks`,
        message: `has ${size} steps, over the limit of ${this.options.maxDefinitionTasks} (BATON_MAX_DEFINITION_TASKS)`,
      });
    }
    const visit = (tasks: readonly WorkflowTask[], pointer: string): void =>
      tasks.forEach((t, i) => {
        const at = `${pointer}/${i}`;
        const retries = t.retryCount ?? t.taskDefinition?.retryCount;
        if (retries !== undefined && retries > this.options.maxRetryCount) {
          problems.push({ pointer: `${at}/retryCount`, message: `must be at most ${this.options.maxRetryCount} (BATON_MAX_RETRY_COUNT)` });
        }
        for (const [name, list] of Object.entries(t.decisionCases ?? {}))
          visit(list, `${at}/decisionCases/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        if (t.defaultCase) visit(t.defaultCase, `${at}/defaultCase`);
        t.forkTasks?.forEach((branch, b) => visit(branch, `${at}/forkTasks/${b}`));
        if (t.loopOver) visit(t.loopOver, `${at}/loopOver`);
      });
    if (problems.length === 0) visit(def.tasks, `${base}/tasks`);
    return problems;
  }

  // ---- workflows

  async startWorkflow(req: StartRequest): Promise<string> {
    const def = req.workflowDef ?? (await this.store.getWorkflowDef(req.name, req.version));
    if (!def) {
      const which = req.version === undefined ? `'${req.name}'` : `'${req.name}' version ${req.version}`;
      throw new NotFoundError(`workflow definition ${which} not found`);
    }
    const depth = req.depth ?? 0;
    if (depth > this.options.maxWorkflowDepth) {
      throw new LimitError(
        `workflow '${def.name}' would start ${depth} levels deep (started by workflows started by workflows...), over the limit of ` +
          `${this.options.maxWorkflowDepth} (BATON_MAX_WORKFLOW_DEPTH)`,
      );
    }
    if (req.workflowDef) {
      const problems = this.definitionProblems(def, '/workflowDef');
      if (problems.length) throw new ValidationError("workflowDef is over the engine's limits", problems);
    }
    const input = req.input ?? {};
    const tooBig = payloadError(input, '/input', this.payloadLimits);
    if (tooBig) throw tooBig;
    this.external?.refuseLookalike(input, '/input');
    const missing = (def.inputParameters ?? []).filter((p) => !(p in input));
    if (missing.length && def.inputParameters?.length) {
      // Conductor treats inputParameters as documentation; Baton checks them, as users expect.
      throw new ValidationError(
        `workflow input is missing ${missing.join(', ')}`,
        missing.map((m) => ({ pointer: `/input/${m}`, message: 'is required by the workflow definition' })),
      );
    }
    const now = this.clock.now();
    await this.taskDefs.fresh(now);
    const definitionId = await this.definitions.register(def);
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
      definitionId,
      depth,
      definition: def,
      state: emptyDeciderState(),
      wakeAt: 0,
      revision: 0,
    };
    // Per-key flow control may hold the run back: stored without its first decision (reactions/flow/).
    const admitted = await this.reactions.admission.admit(def, wf, req);
    if (admitted !== null) return admitted;
    const out = await this.decisions.run(wf, [], now);
    // The first decision is part of the record as created: revision 0, like a fresh workflow.
    if (this.external) await externalizeDecision(this.external, out.decision, wf.workflowId);
    const first = applyDecision({ ...wf, state: { ...wf.state, steps: {} } }, out.decision);
    first.revision = 0;
    if (!(await this.store.createWorkflow(storedOf(first), out.decision.newTasks, this.listeners.outboxOfStart(first, out.decision)))) {
      if (req.workflowId && req.ifExists !== 'fail') return wf.workflowId; // started before: the repeat is a no-op
      throw new ConflictError(`workflow id '${wf.workflowId}' exists`);
    }
    this.workflows.put(first);
    this.afterCommit(first, out);
    if (pendingFailureWorkflow(first)) await this.launchFailureWorkflowQuietly(first);
    return wf.workflowId;
  }

  /** A workflow with its definition, from the cache or the store. */
  async getWorkflow(workflowId: string): Promise<WorkflowRecord> {
    const wf = await this.loadWorkflow(workflowId, false);
    if (!wf) throw new NotFoundError(`workflow '${workflowId}' not found`);
    return wf;
  }

  /**
   * The workflow as the next decision must see it: from the cache when `cached` (a decision on a
   * stale entry loses its revision fence and is redone), else from the store.
   */
  private async loadWorkflow(workflowId: string, cached: boolean): Promise<WorkflowRecord | null> {
    if (cached) {
      const hit = this.workflows.get(workflowId);
      if (hit) return hit;
    }
    const stored = await this.store.getWorkflow(workflowId);
    if (!stored) return null;
    const definition = await this.definitions.get(stored.definitionId);
    if (!definition)
      throw new Error(`workflow '${workflowId}' names definition snapshot ${stored.definitionId}, which the store does not have`);
    const wf: WorkflowRecord = { ...stored, definition };
    if (!isTerminalWorkflow(wf.status)) this.workflows.put(wf);
    else this.workflows.evict(workflowId);
    return wf;
  }

  /**
   * Commits a decision on `wf` (fenced by its revision) and keeps the cache in step: the entry is
   * updated in place on success and evicted on a conflict. Answers whether it committed.
   */
  private async commit(wf: WorkflowRecord, decision: Decision): Promise<boolean> {
    if (this.external) await externalizeDecision(this.external, decision, wf.workflowId);
    const commit: CommitDecision = { ...decision, expectedRevision: wf.revision, ...this.listeners.outbox(wf, decision) };
    let committed: boolean;
    try {
      committed = await this.store.commitDecision(commit);
    } catch (err) {
      // The outcome is unknown (a store error may come after the write: a lost acknowledgement),
      // so the cached record may be behind the store; on SQLite a decision that changes nothing
      // on a cached record is trusted, and a stale one would ignore results forever
      // (docs/reliability.md, "Found and fixed"). The next decision reads the store.
      this.workflows.evict(wf.workflowId);
      throw err;
    }
    if (!committed) {
      this.workflows.evict(wf.workflowId);
      return false;
    }
    applyDecision(wf, decision);
    if (isTerminalWorkflow(wf.status)) this.workflows.evict(wf.workflowId);
    else this.workflows.put(wf);
    return true;
  }

  async terminate(workflowId: string, reason: string): Promise<void> {
    await this.locks.run(workflowId, async () => {
      for (let tries = 0; tries < 20; tries++) {
        const wf = await this.loadWorkflow(workflowId, tries === 0);
        if (!wf) throw new NotFoundError(`workflow '${workflowId}' not found`);
        if (isTerminalWorkflow(wf.status)) throw new ConflictError(`workflow '${workflowId}' is already ${wf.status}`);
        const out = decideTermination(wf, reason, this.clock.now());
        if (await this.commit(wf, out.decision)) {
          this.afterCommit(wf, out);
          return;
        }
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to terminate; retry`);
    });
  }

  /**
   * Decides one workflow and commits the outcome, re-deciding on a revision conflict. `known` are
   * results the caller just recorded (saves reading them back on the common path). A decision
   * that changes nothing on a cached record is checked once against the store, since another
   * engine may have moved the workflow on.
   */
  async advance(workflowId: string, known?: TaskRecord[]): Promise<void> {
    await this.locks.run(workflowId, () => this.advanceLocked(workflowId, known));
  }

  /** advance, for a caller holding the workflow's lock. */
  private async advanceLocked(workflowId: string, known?: TaskRecord[]): Promise<void> {
    {
      let conflicts = 0;
      let fresh = false;
      for (;;) {
        const wf = await this.loadWorkflow(workflowId, !fresh);
        if (!wf) return;
        // Held by flow control: no decision until it is let in (reactions/flow/admission.ts). A
        // cached copy may predate another engine letting it in: the store has the last word.
        if (wf.flowWait) {
          if (fresh) return;
          fresh = true;
          continue;
        }
        // An ended workflow whose failure workflow is still to start (a crash came between).
        if (pendingFailureWorkflow(wf)) {
          if (!(await launchFailureWorkflow(this, wf))) this.workflows.evict(workflowId);
          known = undefined;
          fresh = true;
          continue;
        }
        const results = known && conflicts === 0 ? known : await this.store.unappliedResults(workflowId);
        const now = this.clock.now();
        await this.taskDefs.fresh(now);
        const out = await this.decisions.run(wf, this.external ? await resolvedResults(this.external, results) : results, now);
        if (!out.changed && out.decision.appliedTaskIds.length === 0) {
          if (fresh || this.store.kind === 'sqlite') return;
          fresh = true;
          continue;
        }
        if (await this.commit(wf, out.decision)) {
          this.hooks.onDecision?.(conflicts);
          this.afterCommit(wf, out);
          if (pendingFailureWorkflow(wf)) await this.launchFailureWorkflowQuietly(wf);
          return;
        }
        conflicts++;
        fresh = true;
        if (conflicts > 50) throw new ConflictError(`workflow '${workflowId}' could not be decided after ${conflicts} conflicts`);
      }
    }
  }

  /** Commits a decision made outside `advance` (failure-workflow.ts's mark), keeping the cache in step. */
  async commitOutside(wf: WorkflowRecord, decision: Decision): Promise<boolean> {
    return this.commit(wf, decision);
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
          throw new ConflictError(
            `workflow '${workflowId}' is ${wf.status}; only FAILED, TIMED_OUT or TERMINATED workflows can be retried`,
          );
        }
        // Its compensation was due when it failed: start it first, so the retry cannot lose it.
        if (pendingFailureWorkflow(wf)) {
          await launchFailureWorkflow(this, wf);
          continue;
        }
        const now = this.clock.now();
        await this.taskDefs.fresh(now);
        let out = decideRetry(wf, this.taskDefs.get, now);
        if (out?.needs) {
          const loaded = await this.loadPayloads(out.needs.payloads);
          out = decideRetry(wf, this.taskDefs.get, now, (id) => loaded.get(id) ?? { inputData: {}, outputData: {} });
        }
        if (!out) throw new ConflictError(`workflow '${workflowId}' has no failed step to retry`);
        if (await this.commit(wf, out.decision)) {
          this.log.info({ workflowId, retried: out.decision.newTasks.map((t) => t.referenceTaskName) }, 'workflow retried');
          this.afterCommit(wf, out);
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
  async retryFailedTasks(
    taskType: string,
    workflowIds?: string[],
  ): Promise<{ retried: string[]; skipped: Array<{ workflowId: string; reason: string }> }> {
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
   * advance does: with the engine's script pool and payload loading, under its per-workflow lock,
   * then afterCommit.
   */
  decideFor(workflow: WorkflowRecord, results: readonly TaskRecord[], now: number, action?: WorkflowAction): Promise<DecideOutcome> {
    return this.decisions.run(workflow, results, now, action);
  }

  exclusive<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(workflowId, fn);
  }

  /** Side effects of a committed decision: wake-ups, hooks, system tasks, in-process waiters. */
  afterCommit(wf: WorkflowRecord, out: DecideOutcome): void {
    const d = out.decision;
    const now = d.now;
    if (out.exhausted?.length) {
      for (const e of out.exhausted)
        this.log.warn({ workflowId: wf.workflowId, taskId: e.taskId, taskType: e.taskType, reason: e.reason }, 'task gave up');
      this.hooks.onTasksExhausted?.(out.exhausted);
    }
    if (d.workflow.timeoutAlertedAt) {
      this.log.warn(
        { workflowId: wf.workflowId, workflowName: wf.workflowName },
        'workflow exceeded its timeoutSeconds (ALERT_ONLY: it goes on)',
      );
      this.hooks.onWorkflowTimeoutAlert?.(wf);
    }
    const queued = d.newTasks.filter((t) => t.queued && t.status === TaskStatus.SCHEDULED);
    if (queued.length) {
      const byType = new Map<string, number>();
      for (const t of queued) {
        if (t.visibleAt <= now) byType.set(t.taskType, (byType.get(t.taskType) ?? 0) + 1);
        else this.waiters.notifyAt(t.taskType, t.visibleAt, now);
      }
      for (const [type, n] of byType) this.waiters.notify(type, n);
      this.hooks.onTasksScheduled?.(queued);
    }
    if (d.workflow.status && isTerminalWorkflow(d.workflow.status)) {
      this.log.info({ workflowId: wf.workflowId, status: wf.status }, 'workflow ended');
      this.hooks.onWorkflowEnded?.(wf);
    }
    this.systemTasks.afterCommit(wf, out);
    this.listeners.afterCommit(wf, out);
    if (out.yielded) {
      this.hooks.onDecisionYielded?.();
      this.continuations.add(wf.workflowId);
    }
    this.workflowEvents.notify({ workflow: wf, newTasks: d.newTasks });
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

  private async pollOnce(
    taskType: string,
    workerId: string,
    count: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<TaskRecord[]> {
    const deadline = this.clock.now() + Math.min(timeoutMs, this.options.maxPollTimeoutMs);
    const n = Math.max(1, Math.min(count, this.options.maxPollCount));
    for (;;) {
      const now = this.clock.now();
      // Engine queues are named after no definition: their miss reloads nothing.
      const def = isEngineQueue(taskType)
        ? await this.taskDefs.fresh(now).then(() => this.taskDefs.get(taskType))
        : await this.taskDefs.forClaim(taskType, now);
      const out = await this.flow.claim(def, {
        taskType,
        count: n,
        workerId,
        now,
        leaseMs: this.leaseMsOf(def, taskType),
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

  private leaseMsOf(def: TaskDef | undefined, taskType: string): number {
    // Not a definition named after the queue: a crashed engine's HTTP call must run again soon.
    if (isEngineQueue(taskType)) return this.options.engineTaskLeaseMs;
    return def?.responseTimeoutSeconds ? def.responseTimeoutSeconds * 1000 : this.options.defaultResponseTimeoutMs;
  }

  /** The limits on clients' payloads (runtime/payload-limits.ts). */
  get payloadLimits(): { maxPayloadBytes: number; maxJsonDepth: number } {
    return { maxPayloadBytes: this.options.decide.maxPayloadBytes, maxJsonDepth: this.options.maxJsonDepth };
  }

  async report(r: TaskResultInput): Promise<void> {
    const tooBig = payloadError(r.outputData, '/outputData', this.payloadLimits);
    if (tooBig) throw tooBig;
    // An output uploaded to the payload store is not checked against an enforced schema here (docs/typed-tasks.md).
    if (!r.externalOutputPayloadStoragePath) await this.outputSchemas.check(r);
    if (this.external) r = { ...r, outputData: await this.externalOutput(r) };
    const now = this.clock.now();
    const logs = r.logs;
    if (r.status === 'IN_PROGRESS') {
      const task = await this.store.getTask(r.taskId);
      const def = task ? this.taskDefs.get(task.taskDefName) : undefined;
      const callbackAfterMs = r.extendLease ? 0 : r.callbackAfterSeconds * 1000;
      const pollTimeoutMs = (def?.pollTimeoutSeconds ?? 0) * 1000;
      const out = await this.store.progressAttempt({
        taskId: r.taskId,
        ...(r.external ? { refuseTaskTypes: [...engineQueues] } : {}),
        attemptToken: r.attemptToken,
        workerId: r.workerId,
        outputData: r.outputData,
        logs,
        callbackAfterMs,
        leaseMs: this.leaseMsOf(def, task?.taskType ?? ''),
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
    const report: AttemptReport = {
      taskId: r.taskId,
      ...(r.external ? { refuseTaskTypes: [...engineQueues] } : {}),
      attemptToken: r.attemptToken,
      workerId: r.workerId,
      status: r.status,
      outputData: r.outputData,
      reasonForIncompletion: r.reasonForIncompletion,
      logs,
      now,
    };
    // The common case in one store transaction: the result and the decision it leads to
    // (docs/architecture.md, "The flow of one step"); otherwise the result first, then a decision.
    const fast = r.workflowInstanceId ? await this.reportAndDecide(r.workflowInstanceId, report) : null;
    if (fast) {
      this.rejectUnlessApplied(fast, r);
      return;
    }
    const out = await this.store.completeAttempt(report);
    this.rejectUnlessApplied(out, r);
    if (out.kind !== 'applied') return;
    // A slot under concurrentExecLimit is free: a parked poll of the type can claim at once.
    if (this.taskDefs.get(out.task.taskType)?.concurrentExecLimit) this.waiters.notify(out.task.taskType);
    // The result is durable now. Deciding can fail (store hiccup); the sweeper then finds the
    // result unapplied and decides again, so the report is still acknowledged.
    try {
      await this.advance(out.task.workflowInstanceId, [out.task]);
    } catch (err) {
      this.log.warn(
        { err, workflowId: out.task.workflowInstanceId, taskId: r.taskId },
        'decide after report failed; the sweeper will retry',
      );
    }
  }

  /** A report's output as the run keeps it (a reference when uploaded or over the threshold); the task's own run names the payload's group. */
  private async externalOutput(r: TaskResultInput): Promise<JsonObject> {
    const ext = this.external as ExternalPayloads;
    if (!r.externalOutputPayloadStoragePath && ext.over(r.outputData) === null) {
      ext.refuseLookalike(r.outputData, '/outputData');
      return r.outputData;
    }
    const task = await this.store.getTask(r.taskId);
    if (!task) throw new NotFoundError(`task '${r.taskId}' not found`);
    return reportedOutput(ext, r, task.workflowInstanceId);
  }

  /**
   * Records a terminal report and commits the decision it leads to in one store transaction, when
   * the store can (SQLite), the workflow is cached, and the decision needs nothing it must wait for
   * (a payload to load, a script to run). Answers the report's outcome, or null when it did not
   * record anything (the caller then takes the two-step path).
   */
  private async reportAndDecide(workflowId: string, report: AttemptReport): Promise<ReportOutcome | null> {
    const store = this.store;
    if (!store.completeAndDecide || !this.workflows.get(workflowId)) return null;
    await this.taskDefs.fresh(report.now);
    return this.locks.run(workflowId, async () => {
      const wf = this.workflows.get(workflowId);
      if (!wf || pendingFailureWorkflow(wf) || isTerminalWorkflow(wf.status)) return null;
      let decided: DecideOutcome | null = null;
      let res: Awaited<ReturnType<NonNullable<Store['completeAndDecide']>>>;
      try {
        res = await store.completeAndDecide!(report, (task) => {
          if (task.workflowInstanceId !== workflowId) return null;
          // An output in the payload store is read before deciding: not inside a store transaction.
          if (this.external && externalPathOf(task.outputData) !== undefined) return null;
          decided = this.decisions.runOnce(wf, [task], report.now);
          if (!decided || (!decided.changed && decided.decision.appliedTaskIds.length === 0)) return null;
          // Payloads to write to the payload store first: the two-step path does that.
          if (this.external && decisionGoesExternal(this.external, decided.decision)) return null;
          return { ...decided.decision, expectedRevision: wf.revision, ...this.listeners.outbox(wf, decided.decision) };
        });
      } catch (err) {
        // Outcome unknown, as in commit(): the cached record may be behind the store.
        this.workflows.evict(workflowId);
        throw err;
      }
      if (res.report.kind !== 'applied') return res.report;
      const task = res.report.task;
      if (this.taskDefs.get(task.taskType)?.concurrentExecLimit) this.waiters.notify(task.taskType);
      const out = decided as DecideOutcome | null;
      if (res.committed && out) {
        applyDecision(wf, out.decision);
        if (isTerminalWorkflow(wf.status)) this.workflows.evict(workflowId);
        this.hooks.onDecision?.(0);
        this.afterCommit(wf, out);
        if (pendingFailureWorkflow(wf)) await this.launchFailureWorkflowQuietly(wf);
        return res.report;
      }
      // Recorded, not decided (the decision needed more, or lost its fence): decide the usual way.
      if (!res.committed) this.workflows.evict(workflowId);
      try {
        await this.advanceLocked(workflowId, [task]);
      } catch (err) {
        this.log.warn({ err, workflowId, taskId: task.taskId }, 'decide after report failed; the sweeper will retry');
      }
      return res.report;
    });
  }

  private rejectUnlessApplied(out: Awaited<ReturnType<Store['completeAttempt']>>, r: TaskResultInput): void {
    if (out.kind === 'not_found') throw new NotFoundError(`task '${r.taskId}' not found`);
    if (out.kind === 'refused') refuseEngineReport(out.task);
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
