import type { TaskDef, WorkflowDef } from '@baton/definitions';
import { MongoClient, type Db } from 'mongodb';
import type { Logger } from 'pino';
import type { JsonObject, StoredWorkflow, TaskDefChange, TaskRecord } from '../../domain/records';
import { isTerminalTask } from '../../domain/status';
import type { TimeoutAlert, TimeoutKind } from '../../domain/timeouts';
import type {
  AttemptFence,
  AttemptReport,
  ClaimRequest,
  ClaimRestore,
  CommitDecision,
  DeadlineUpdate,
  EngineTaskFence,
  EngineTaskResult,
  ProgressReport,
  ArchivedWorkflow,
  LoadedPayload,
  ReportOutcome,
  Store,
  WorkflowQuery,
  WorkflowSummaryRecord,
} from '../port';
import type { ApiKeyRecord } from '../../domain/roles';
import { MongoApiKeys } from './api-keys';
import { claimTasks } from './claim-tasks';
import { docToTask, docToWorkflow } from './codec';
import { collections, ensureIndexes, type Collections } from './collections';
import { commitDecision, createWorkflow, PENDING_COMMIT, recoverPending } from './commit-decision';
import { getArchived, purgeArchive, purgeEnded } from './retention';
import { MongoDefinitions } from './definitions';
import { guard } from './errors';
import { returnRateTokens, takeRateTokens } from './rate-limit';
import { releaseClaim } from './release-claim';
import { requeueLapsedClaim } from './requeue-lapsed';
import { completeAttempt, progressAttempt } from './report-attempt';
import { completeEngineTask, rescheduleEngineTask } from './engine-task';
import { MongoSweeps } from './sweeps';
import { MongoSearch, ensureSearchIndexes } from './search';
import { MongoOperations } from './operations';
import type { OpenAttemptFence, PollDataEntry, TaskLogEntry } from '../operations-port';
import type { SearchPage, SearchRequest } from '../../search/request';
import type { TaskStatus } from '../../domain/status';
import { delegateReactions, type ReactionsStore } from '../reactions-port';
import { MongoReactionsStore } from './reactions';
import { delegateListeners, type ListenersStore } from '../listeners-port';
import { MongoListeners } from './listeners';
import type { ListenerDelivery } from '../../domain/listeners';

export interface MongoStoreOptions {
  uri: string;
  /** Defaults to the database in the URI's path, else 'baton'. */
  dbName?: string | undefined;
  log?: Logger;
  /** TEST-ONLY: wraps the collections (store/faults/mongo-faults.ts injects write faults with it). */
  wrapCollections?: (c: Collections) => Collections;
}

/** Events, signals, schedules and flow control (store/reactions-port.ts): delegated to mongo/reactions/. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the class gains these stores' methods by delegation
export interface MongoStore extends ReactionsStore, ListenersStore {}

/**
 * The production store. Every atomic step relies on single-document atomicity (findOneAndUpdate,
 * conditional updateOne, unique _id), never on transactions or change streams, so it runs on a
 * standalone server and on replica sets alike, and several engines can share one database.
 * The driver reconnects by itself; transient errors surface as 503 retryable (see errors.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the class gains ReactionsStore's methods by delegation
export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  private client: MongoClient;
  private db!: Db;
  private c!: Collections;
  private defs!: MongoDefinitions;
  private sweeps!: MongoSweeps;
  private keys!: MongoApiKeys;
  private search!: MongoSearch;
  private ops!: MongoOperations;
  /** The store/reactions-port.ts part (delegateReactions, below the class). */
  reactions!: MongoReactionsStore;
  /** The store/listeners-port.ts part (delegateListeners, below the class). */
  listeners!: MongoListeners;
  /** Database commands sent, from the driver's command monitoring (benchmarks, metrics). */
  commands = 0;

  constructor(private readonly options: MongoStoreOptions) {
    this.client = new MongoClient(options.uri, {
      monitorCommands: true,
      serverSelectionTimeoutMS: 10_000,
      // Long polls and sweeps from one engine share the pool; 2 cores rarely need more.
      maxPoolSize: 50,
      // No operation may wait forever: a reply lost with a dying peer or a full pool would
      // otherwise hold a workflow's decision lock (and the sweeper) indefinitely. Every Baton
      // operation is a single short command, so these bounds are far above normal latency.
      socketTimeoutMS: 30_000,
      waitQueueTimeoutMS: 10_000,
    });
    this.client.on('commandStarted', () => {
      this.commands++;
    });
  }

  stats(): { commands: number } {
    return { commands: this.commands };
  }

  async init(): Promise<void> {
    await this.client.connect();
    const fromUri = new URL(this.options.uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.replace(/^\//, '');
    this.db = this.client.db(this.options.dbName || fromUri || 'baton');
    this.c = this.options.wrapCollections ? this.options.wrapCollections(collections(this.db)) : collections(this.db);
    await ensureIndexes(this.c);
    this.defs = new MongoDefinitions(this.c);
    this.sweeps = new MongoSweeps(this.c);
    this.keys = new MongoApiKeys(this.db);
    await ensureSearchIndexes(this.c);
    this.search = new MongoSearch(this.c, (reason) =>
      this.options.log?.warn(
        { reason },
        'this MongoDB server has no $text search (a wire-protocol test server?); freeText scans with regex',
      ),
    );
    this.ops = new MongoOperations(this.c, this.db);
    await this.ops.ensureIndexes();
    this.reactions = new MongoReactionsStore(this.db, this.c.workflows);
    await this.reactions.init();
    this.listeners = new MongoListeners(this.db, this.c.workflows);
    await this.listeners.init();
    this.options.log?.info({ db: this.db.databaseName }, 'connected to MongoDB');
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Test helper: drop this store's database. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  getTaskDef(name: string): Promise<TaskDef | null> {
    return guard('getTaskDef', () => this.defs.getTaskDef(name), true);
  }
  listTaskDefs(): Promise<TaskDef[]> {
    return guard('listTaskDefs', () => this.defs.listTaskDefs(), true);
  }
  putTaskDefs(defs: TaskDef[], changedBy: string, now: number): Promise<void> {
    return guard('putTaskDefs', () => this.defs.putTaskDefs(defs, changedBy, now), false);
  }
  deleteTaskDef(name: string, changedBy: string, now: number): Promise<boolean> {
    return guard('deleteTaskDef', () => this.defs.deleteTaskDef(name, changedBy, now), false);
  }
  taskDefChanges(name: string | null, limit: number): Promise<TaskDefChange[]> {
    return guard('taskDefChanges', () => this.defs.taskDefChanges(name, limit), true);
  }
  putWorkflowDef(def: WorkflowDef, overwrite: boolean): Promise<boolean> {
    return guard('putWorkflowDef', () => this.defs.putWorkflowDef(def, overwrite), false);
  }
  getWorkflowDef(name: string, version?: number): Promise<WorkflowDef | null> {
    return guard('getWorkflowDef', () => this.defs.getWorkflowDef(name, version), true);
  }
  listWorkflowDefs(): Promise<WorkflowDef[]> {
    return guard('listWorkflowDefs', () => this.defs.listWorkflowDefs(), true);
  }
  deleteWorkflowDef(name: string, version: number): Promise<boolean> {
    return guard('deleteWorkflowDef', () => this.defs.deleteWorkflowDef(name, version), false);
  }

  putDefinitionSnapshot(id: string, def: WorkflowDef): Promise<void> {
    return guard(
      'putDefinitionSnapshot',
      async () => {
        await this.c.snapshots.updateOne({ _id: id }, { $setOnInsert: { json: JSON.stringify(def) } }, { upsert: true });
      },
      true,
    );
  }
  getDefinitionSnapshot(id: string): Promise<WorkflowDef | null> {
    return guard(
      'getDefinitionSnapshot',
      async () => {
        const d = await this.c.snapshots.findOne({ _id: id });
        return d ? (JSON.parse(d.json) as WorkflowDef) : null;
      },
      true,
    );
  }

  createWorkflow(workflow: StoredWorkflow, tasks: TaskRecord[], outbox?: ListenerDelivery[]): Promise<boolean> {
    return guard('createWorkflow', () => createWorkflow(this.c, workflow, tasks, outbox), false);
  }
  getWorkflow(workflowId: string): Promise<StoredWorkflow | null> {
    return guard(
      'getWorkflow',
      async () => {
        const d = await this.c.workflows.findOne({ _id: workflowId });
        return d ? docToWorkflow(d) : null;
      },
      true,
    );
  }
  getTasks(workflowId: string): Promise<TaskRecord[]> {
    return guard(
      'getTasks',
      async () =>
        (
          await this.c.tasks
            .find({ workflowInstanceId: workflowId, status: { $ne: PENDING_COMMIT } })
            .sort({ seq: 1 })
            .toArray()
        ).map(docToTask),
      true,
    );
  }
  getTaskPayloads(taskIds: readonly string[]): Promise<Map<string, LoadedPayload>> {
    return guard(
      'getTaskPayloads',
      async () => {
        const out = new Map<string, LoadedPayload>();
        const docs = await this.c.tasks
          .find({ _id: { $in: [...taskIds] } }, { projection: { status: 1, inputJson: 1, outputJson: 1 } })
          .toArray();
        for (const d of docs) {
          out.set(d._id, {
            inputData: JSON.parse(d.inputJson) as JsonObject,
            outputData: JSON.parse(d.outputJson) as JsonObject,
            final: isTerminalTask(d.status),
            bytes: d.inputJson.length + d.outputJson.length,
          });
        }
        return out;
      },
      true,
    );
  }
  getTask(taskId: string): Promise<TaskRecord | null> {
    return guard(
      'getTask',
      async () => {
        const d = await this.c.tasks.findOne({ _id: taskId });
        return d ? docToTask(d) : null;
      },
      true,
    );
  }
  commitDecision(decision: CommitDecision): Promise<boolean> {
    // Safe to repeat: inserts are idempotent and the revision check refuses a second commit;
    // a repeat after a lost acknowledgement reports a conflict, and the caller decides again.
    return guard('commitDecision', () => commitDecision(this.c, decision), false);
  }
  unappliedResults(workflowId: string): Promise<TaskRecord[]> {
    return guard(
      'unappliedResults',
      async () =>
        (
          await this.c.tasks
            .find({ workflowInstanceId: workflowId, applied: false, status: { $ne: PENDING_COMMIT } })
            .sort({ updateTime: 1 })
            .toArray()
        ).map(docToTask),
      true,
    );
  }
  findWorkflows(q: WorkflowQuery): Promise<{ totalHits: number; results: WorkflowSummaryRecord[] }> {
    return guard(
      'findWorkflows',
      async () => {
        const filter = {
          ...(q.workflowName ? { workflowName: q.workflowName } : {}),
          ...(q.status?.length ? { status: { $in: q.status } } : {}),
          ...(q.correlationId ? { correlationId: q.correlationId } : {}),
        };
        const [totalHits, docs] = await Promise.all([
          this.c.workflows.countDocuments(filter),
          this.c.workflows
            .find(filter, { projection: { steps: 0 } })
            .sort({ createTime: -1 })
            .skip(q.start)
            .limit(q.size)
            .toArray(),
        ]);
        return { totalHits, results: docs.map(docToWorkflow) };
      },
      true,
    );
  }

  purgeEndedWorkflows(endedBefore: number, limit: number, archive: boolean, now: number): Promise<number> {
    return guard('purgeEndedWorkflows', () => purgeEnded(this.c, endedBefore, limit, archive, now), false);
  }
  getArchivedWorkflow(workflowId: string): Promise<ArchivedWorkflow | null> {
    return guard('getArchivedWorkflow', () => getArchived(this.c, workflowId), true);
  }
  purgeArchive(before: number, limit: number): Promise<number> {
    return guard('purgeArchive', () => purgeArchive(this.c, before, limit), false);
  }
  /** Settles tasks of decisions that lost their race or crashed before publishing (commit-decision.ts). */
  recoverPendingTasks(before: number, limit: number): Promise<number> {
    return guard('recoverPendingTasks', () => recoverPending(this.c, before, limit), false);
  }

  claimTasks(claim: ClaimRequest): Promise<TaskRecord[]> {
    return guard('claimTasks', () => claimTasks(this.c, claim), false);
  }
  releaseClaim(taskId: string, attemptToken: string, restore: ClaimRestore, now: number): Promise<boolean> {
    // Safe to repeat: fenced by the claim's token.
    return guard('releaseClaim', () => releaseClaim(this.c, taskId, attemptToken, restore, now), true);
  }
  completeAttempt(report: AttemptReport): Promise<ReportOutcome> {
    return guard('completeAttempt', () => completeAttempt(this.c, report), false);
  }
  progressAttempt(report: ProgressReport): Promise<ReportOutcome> {
    return guard('progressAttempt', () => progressAttempt(this.c, report), false);
  }
  queueSizes(taskTypes: string[], now: number): Promise<Record<string, number>> {
    return guard(
      'queueSizes',
      async () => {
        const counts = await Promise.all(
          taskTypes.map((t) => this.c.tasks.countDocuments({ taskType: t, status: 'SCHEDULED', queued: true, visibleAt: { $lte: now } })),
        );
        return Object.fromEntries(taskTypes.map((t, i) => [t, counts[i] ?? 0]));
      },
      true,
    );
  }
  inProgressCount(taskType: string): Promise<number> {
    return guard('inProgressCount', () => this.c.tasks.countDocuments({ taskType, status: 'IN_PROGRESS', queued: true }), true);
  }
  takeRateTokens(taskType: string, windowStart: number, limit: number, want: number): Promise<number> {
    return guard('takeRateTokens', () => takeRateTokens(this.c, taskType, windowStart, limit, want), false);
  }
  returnRateTokens(taskType: string, windowStart: number, count: number): Promise<void> {
    return guard('returnRateTokens', () => returnRateTokens(this.c, taskType, windowStart, count), false);
  }

  expiredLeases(now: number, limit: number): Promise<TaskRecord[]> {
    return guard('expiredLeases', () => this.sweeps.expiredLeases(now, limit), true);
  }
  expiredPollDeadlines(now: number, limit: number): Promise<TaskRecord[]> {
    return guard('expiredPollDeadlines', () => this.sweeps.expiredPollDeadlines(now, limit), true);
  }
  expiredDeadlines(now: number, limit: number): Promise<TaskRecord[]> {
    return guard('expiredDeadlines', () => this.sweeps.expiredDeadlines(now, limit), true);
  }
  timeOutAttempt(
    taskId: string,
    expected: AttemptFence,
    reason: string,
    now: number,
    timedOutBy?: TimeoutKind,
  ): Promise<TaskRecord | null> {
    return guard('timeOutAttempt', () => this.sweeps.timeOutAttempt(taskId, expected, reason, now, timedOutBy ?? null), false);
  }
  recordTimeoutAlert(
    taskId: string,
    expected: AttemptFence,
    alert: TimeoutAlert,
    next: DeadlineUpdate,
    now: number,
  ): Promise<TaskRecord | null> {
    return guard('recordTimeoutAlert', () => this.sweeps.recordTimeoutAlert(taskId, expected, alert, next, now), false);
  }
  workflowsWithUnappliedResults(before: number, limit: number): Promise<string[]> {
    return guard('workflowsWithUnappliedResults', () => this.sweeps.workflowsWithUnappliedResults(before, limit), true);
  }
  dueWorkflowTimers(now: number, limit: number): Promise<string[]> {
    return guard('dueWorkflowTimers', () => this.sweeps.dueWorkflowTimers(now, limit), true);
  }
  dueTaskTimers(now: number, limit: number): Promise<TaskRecord[]> {
    return guard('dueTaskTimers', () => this.sweeps.dueTaskTimers(now, limit), true);
  }
  failedTasks(taskType: string | null, limit: number): Promise<TaskRecord[]> {
    return guard('failedTasks', () => this.sweeps.failedTasks(taskType, limit), true);
  }
  completeEngineTask(taskId: string, expected: EngineTaskFence, result: EngineTaskResult, now: number): Promise<TaskRecord | null> {
    return guard('completeEngineTask', () => completeEngineTask(this.c, taskId, expected, result, now), false);
  }
  rescheduleEngineTask(taskId: string, expected: EngineTaskFence, wakeAt: number, now: number): Promise<boolean> {
    return guard('rescheduleEngineTask', () => rescheduleEngineTask(this.c, taskId, expected, wakeAt, now), false);
  }

  createApiKey(key: ApiKeyRecord): Promise<boolean> {
    return guard('createApiKey', () => this.keys.create(key), false);
  }
  updateApiKey(key: ApiKeyRecord): Promise<boolean> {
    return guard('updateApiKey', () => this.keys.update(key), false);
  }
  getApiKey(keyId: string): Promise<ApiKeyRecord | null> {
    return guard('getApiKey', () => this.keys.get(keyId), true);
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return guard('listApiKeys', () => this.keys.list(), true);
  }
  deleteApiKey(keyId: string): Promise<boolean> {
    return guard('deleteApiKey', () => this.keys.delete(keyId), false);
  }
  tokenSigningSecret(candidate: string): Promise<string> {
    // Safe to repeat: $setOnInsert never replaces a stored secret.
    return guard('tokenSigningSecret', () => this.keys.tokenSigningSecret(candidate), true);
  }
  requeueLapsedClaim(
    task: Pick<TaskRecord, 'taskId' | 'workflowPriority'>,
    expected: AttemptFence,
    now: number,
  ): Promise<TaskRecord | null> {
    // Safe to repeat: fenced on the claim, which the first write ends.
    return guard('requeueLapsedClaim', () => requeueLapsedClaim(this.c, task.taskId, expected, now, task.workflowPriority), true);
  }
  // ---- search and operators' operations (operations-port.ts)
  searchWorkflows(req: SearchRequest): Promise<SearchPage<WorkflowSummaryRecord>> {
    return guard('searchWorkflows', () => this.search.workflows(req), true);
  }
  searchTasks(req: SearchRequest): Promise<SearchPage<TaskRecord>> {
    return guard('searchTasks', () => this.search.tasks(req), true);
  }
  deleteFinishedTasks(workflowId: string): Promise<number> {
    return guard('deleteFinishedTasks', () => this.ops.deleteFinishedTasks(workflowId), true);
  }
  removeWorkflow(workflowId: string): Promise<boolean> {
    return guard('removeWorkflow', () => this.ops.removeWorkflow(workflowId), true);
  }
  appendTaskLog(entry: TaskLogEntry & { workflowId: string }): Promise<void> {
    return guard('appendTaskLog', () => this.ops.appendTaskLog(entry), false);
  }
  taskLogs(taskId: string, limit: number): Promise<TaskLogEntry[]> {
    return guard('taskLogs', () => this.ops.taskLogs(taskId, limit), true);
  }
  recordPollData(entry: PollDataEntry, forgetBefore: number): Promise<void> {
    return guard('recordPollData', () => this.ops.recordPollData(entry, forgetBefore), true);
  }
  pollData(queueName: string | null): Promise<PollDataEntry[]> {
    return guard('pollData', () => this.ops.pollData(queueName), true);
  }
  queueDepths(now: number): Promise<Record<string, number>> {
    return guard('queueDepths', () => this.ops.queueDepths(now), true);
  }
  completeOpenAttempt(
    taskId: string,
    expected: OpenAttemptFence,
    result: { status: TaskStatus; outputData: JsonObject; reasonForIncompletion: string | null },
    now: number,
  ): Promise<TaskRecord | null> {
    // Safe to repeat: fenced by status and claim token.
    return guard('completeOpenAttempt', () => this.ops.completeOpenAttempt(taskId, expected, result, now), true);
  }
}

delegateReactions(MongoStore.prototype, (s) => s.reactions);
delegateListeners(MongoStore.prototype, (s) => s.listeners);

// The relay is MongoDB's own (listeners.ts): outbox rows wait in workflow documents until moved.
MongoStore.prototype.relayListenerOutbox = function relayListenerOutbox(this: MongoStore, limit: number): Promise<number> {
  return this.listeners.relayListenerOutbox(limit);
};
