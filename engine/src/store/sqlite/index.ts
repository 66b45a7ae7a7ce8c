import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { StoredWorkflow, TaskDefChange, TaskRecord } from '../../domain/records';
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
import { SqliteApiKeys, createAuthSchema } from './api-keys';
import { claimSelectSql, claimTasks } from './claim-tasks';
import { createWorkflow, SqliteCommits } from './commit-decision';
import { SqliteDefinitions } from './definitions';
import { checkReport, completeAttempt, progressAttempt } from './report-attempt';
import { completeEngineTask, rescheduleEngineTask } from './engine-task';
import { Rows, parseTask, parseWorkflowRow, type TaskRow } from './rows';
import { SqliteRetention } from './retention';
import { takeRateTokens, returnRateTokens } from './rate-limit';
import { releaseClaim } from './release-claim';
import { requeueLapsedClaim } from './requeue-lapsed';
import { createSchema } from './schema';
import { SqliteSweeps } from './sweeps';
import { createSearchSchema } from './search-schema';
import { searchTasks, searchWorkflows } from './search';
import { SqliteOperations } from './operations';
import type { OpenAttemptFence, PollDataEntry, TaskLogEntry } from '../operations-port';
import type { SearchPage, SearchRequest } from '../../search/request';
import type { JsonObject } from '../../domain/records';
import type { TaskStatus } from '../../domain/status';
import { delegateReactions, type ReactionsStore } from '../reactions-port';
import { SqliteReactionsStore } from './reactions';
import { delegateListeners, type ListenersStore } from '../listeners-port';
import { OutboxWriter, SqliteListeners } from './listeners';
import type { ListenerDelivery } from '../../domain/listeners';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  file: string;
  /**
   * 'NORMAL' (default) survives a crash of the engine process (kill -9): WAL frames are in the OS
   * before the answer. 'FULL' also survives a power loss, at the price of an fsync per commit.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

/** Events, signals, schedules and flow control (store/reactions-port.ts): delegated to sqlite/reactions/. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the class gains these stores' methods by delegation
export interface SqliteStore extends ReactionsStore, ListenersStore {}

/** The embedded store: one SQLite file, one engine process (the file is locked by it). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the class gains ReactionsStore's methods by delegation
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db!: Database.Database;
  private rows!: Rows;
  private defs!: SqliteDefinitions;
  private sweeps!: SqliteSweeps;
  private commits!: SqliteCommits;
  private retention!: SqliteRetention;
  private claimSelect!: Database.Statement;
  private keys!: SqliteApiKeys;
  private ops!: SqliteOperations;
  /** The store/reactions-port.ts part (delegateReactions, below the class). */
  reactions!: SqliteReactionsStore;
  /** The store/listeners-port.ts part (delegateListeners, below the class). */
  listeners!: SqliteListeners;
  private outbox!: OutboxWriter;

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.options.file !== ':memory:') mkdirSync(dirname(this.options.file), { recursive: true });
    this.db = new Database(this.options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    // The page cache, per connection: 64 MiB (SQLite's default is 2 MiB), so that the indexes the
    // hot path touches stay in memory as finished runs pile up (docs/architecture.md, "Store").
    this.db.pragma('cache_size = -65536');
    createSchema(this.db);
    createAuthSchema(this.db);
    this.keys = new SqliteApiKeys(this.db);
    this.rows = new Rows(this.db);
    this.defs = new SqliteDefinitions(this.db);
    this.sweeps = new SqliteSweeps(this.db, this.rows);
    this.listeners = new SqliteListeners(this.db);
    this.outbox = new OutboxWriter(this.db);
    this.commits = new SqliteCommits(this.db, this.rows, this.outbox);
    this.retention = new SqliteRetention(this.db, this.rows);
    this.claimSelect = this.db.prepare(claimSelectSql);
    createSearchSchema(this.db);
    this.ops = new SqliteOperations(this.db, this.rows);
    this.reactions = new SqliteReactionsStore(this.db);
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }

  async getTaskDef(name: string): Promise<TaskDef | null> {
    return this.defs.getTaskDef(name);
  }
  async listTaskDefs(): Promise<TaskDef[]> {
    return this.defs.listTaskDefs();
  }
  async putTaskDefs(defs: TaskDef[], changedBy: string, now: number): Promise<void> {
    this.defs.putTaskDefs(defs, changedBy, now);
  }
  async deleteTaskDef(name: string, changedBy: string, now: number): Promise<boolean> {
    return this.defs.deleteTaskDef(name, changedBy, now);
  }
  async taskDefChanges(name: string | null, limit: number): Promise<TaskDefChange[]> {
    return this.defs.taskDefChanges(name, limit);
  }
  async putWorkflowDef(def: WorkflowDef, overwrite: boolean): Promise<boolean> {
    return this.defs.putWorkflowDef(def, overwrite);
  }
  async getWorkflowDef(name: string, version?: number): Promise<WorkflowDef | null> {
    return this.defs.getWorkflowDef(name, version);
  }
  async listWorkflowDefs(): Promise<WorkflowDef[]> {
    return this.defs.listWorkflowDefs();
  }
  async deleteWorkflowDef(name: string, version: number): Promise<boolean> {
    return this.defs.deleteWorkflowDef(name, version);
  }

  async putDefinitionSnapshot(id: string, def: WorkflowDef): Promise<void> {
    this.rows.putSnapshot(id, def);
  }
  async getDefinitionSnapshot(id: string): Promise<WorkflowDef | null> {
    return this.rows.getSnapshot(id);
  }

  async createWorkflow(workflow: StoredWorkflow, tasks: TaskRecord[], outbox?: ListenerDelivery[]): Promise<boolean> {
    return createWorkflow(this.db, this.rows, workflow, tasks, outbox?.length ? () => this.outbox.write(outbox) : undefined);
  }
  async getWorkflow(workflowId: string): Promise<StoredWorkflow | null> {
    return this.rows.getWorkflow(workflowId);
  }
  async getTaskPayloads(taskIds: readonly string[]): Promise<Map<string, LoadedPayload>> {
    return this.rows.getPayloads(taskIds);
  }
  async getTasks(workflowId: string): Promise<TaskRecord[]> {
    return (this.db.prepare(`SELECT doc, input, output FROM tasks WHERE workflow_id = ? ORDER BY seq`).all(workflowId) as TaskRow[]).map(
      parseTask,
    );
  }
  async getTask(taskId: string): Promise<TaskRecord | null> {
    return this.rows.getTask(taskId);
  }
  async commitDecision(decision: CommitDecision): Promise<boolean> {
    return this.commits.commitDecision(decision);
  }
  async unappliedResults(workflowId: string): Promise<TaskRecord[]> {
    return (
      this.db
        .prepare(`SELECT doc, input, output FROM tasks WHERE workflow_id = ? AND applied = 0 ORDER BY update_time`)
        .all(workflowId) as TaskRow[]
    ).map(parseTask);
  }
  async findWorkflows(q: WorkflowQuery): Promise<{ totalHits: number; results: WorkflowSummaryRecord[] }> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.workflowName) {
      where.push('name = ?');
      args.push(q.workflowName);
    }
    if (q.status?.length) {
      where.push(`status IN (${q.status.map(() => '?').join(',')})`);
      args.push(...q.status);
    }
    if (q.correlationId) {
      where.push('correlation_id = ?');
      args.push(q.correlationId);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM workflows ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT doc, input, output, variables FROM workflows ${clause} ORDER BY create_time DESC LIMIT ? OFFSET ?`)
      .all(...args, q.size, q.start) as Array<{ doc: string; input: string; output: string; variables: string }>;
    return { totalHits: total, results: rows.map((r) => parseWorkflowRow(r, {})) };
  }

  async purgeEndedWorkflows(endedBefore: number, limit: number, archive: boolean, now: number): Promise<number> {
    return this.retention.purgeEnded(endedBefore, limit, archive, now);
  }
  async getArchivedWorkflow(workflowId: string): Promise<ArchivedWorkflow | null> {
    return this.retention.getArchived(workflowId);
  }
  async purgeArchive(before: number, limit: number): Promise<number> {
    return this.retention.purgeArchive(before, limit);
  }

  async claimTasks(claim: ClaimRequest): Promise<TaskRecord[]> {
    return claimTasks(this.db, this.rows, this.claimSelect, claim);
  }
  async releaseClaim(taskId: string, attemptToken: string, restore: ClaimRestore, now: number): Promise<boolean> {
    return releaseClaim(this.db, this.rows, taskId, attemptToken, restore, now);
  }
  async completeAttempt(report: AttemptReport): Promise<ReportOutcome> {
    return completeAttempt(this.db, this.rows, report);
  }
  async completeAndDecide(
    report: AttemptReport,
    decide: (task: TaskRecord) => CommitDecision | null,
  ): Promise<{ report: ReportOutcome; committed: boolean }> {
    // One transaction: the report checked, the decision made from it and fenced, then the result
    // written already marked applied when the decision folded it, then the decision.
    return this.db.transaction(() => {
      const out = checkReport(this.rows, report);
      if (out.kind !== 'applied') return { report: out, committed: false };
      const decision = decide(out.task);
      const row = decision ? this.commits.fence(decision) : null;
      const task = out.task;
      if (!decision || !row) {
        this.rows.putTask(task);
        return { report: out, committed: false };
      }
      task.applied = decision.appliedTaskIds.includes(task.taskId);
      this.rows.putTask(task);
      this.commits.write({ ...decision, appliedTaskIds: decision.appliedTaskIds.filter((id) => id !== task.taskId) }, row);
      return { report: out, committed: true };
    })();
  }
  async progressAttempt(report: ProgressReport): Promise<ReportOutcome> {
    return progressAttempt(this.db, this.rows, report);
  }
  async queueSizes(taskTypes: string[], now: number): Promise<Record<string, number>> {
    const stmt = this.db.prepare(
      `SELECT COUNT(*) AS n FROM tasks WHERE task_type = ? AND status = 'SCHEDULED' AND queued = 1 AND visible_at <= ?`,
    );
    const out: Record<string, number> = {};
    for (const t of taskTypes) out[t] = (stmt.get(t, now) as { n: number }).n;
    return out;
  }
  async inProgressCount(taskType: string): Promise<number> {
    return (
      this.db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE task_type = ? AND status = 'IN_PROGRESS' AND queued = 1`).get(taskType) as {
        n: number;
      }
    ).n;
  }
  async takeRateTokens(taskType: string, windowStart: number, limit: number, want: number): Promise<number> {
    return takeRateTokens(this.db, taskType, windowStart, limit, want);
  }
  async returnRateTokens(taskType: string, windowStart: number, count: number): Promise<void> {
    returnRateTokens(this.db, taskType, windowStart, count);
  }

  async expiredLeases(now: number, limit: number): Promise<TaskRecord[]> {
    return this.sweeps.expiredLeases(now, limit);
  }
  async expiredPollDeadlines(now: number, limit: number): Promise<TaskRecord[]> {
    return this.sweeps.expiredPollDeadlines(now, limit);
  }
  async expiredDeadlines(now: number, limit: number): Promise<TaskRecord[]> {
    return this.sweeps.expiredDeadlines(now, limit);
  }
  async timeOutAttempt(
    taskId: string,
    expected: AttemptFence,
    reason: string,
    now: number,
    timedOutBy?: TimeoutKind,
  ): Promise<TaskRecord | null> {
    return this.sweeps.timeOutAttempt(taskId, expected, reason, now, timedOutBy ?? null);
  }
  async recordTimeoutAlert(
    taskId: string,
    expected: AttemptFence,
    alert: TimeoutAlert,
    next: DeadlineUpdate,
    now: number,
  ): Promise<TaskRecord | null> {
    return this.sweeps.recordTimeoutAlert(taskId, expected, alert, next, now);
  }
  async workflowsWithUnappliedResults(before: number, limit: number): Promise<string[]> {
    return this.sweeps.workflowsWithUnappliedResults(before, limit);
  }
  async dueWorkflowTimers(now: number, limit: number): Promise<string[]> {
    return this.sweeps.dueWorkflowTimers(now, limit);
  }
  async dueTaskTimers(now: number, limit: number): Promise<TaskRecord[]> {
    return this.sweeps.dueTaskTimers(now, limit);
  }
  async failedTasks(taskType: string | null, limit: number): Promise<TaskRecord[]> {
    return this.sweeps.failedTasks(taskType, limit);
  }
  async completeEngineTask(taskId: string, expected: EngineTaskFence, result: EngineTaskResult, now: number): Promise<TaskRecord | null> {
    return completeEngineTask(this.db, this.rows, taskId, expected, result, now);
  }
  async rescheduleEngineTask(taskId: string, expected: EngineTaskFence, wakeAt: number, now: number): Promise<boolean> {
    return rescheduleEngineTask(this.db, this.rows, taskId, expected, wakeAt, now);
  }

  async createApiKey(key: ApiKeyRecord): Promise<boolean> {
    return this.keys.create(key);
  }
  async updateApiKey(key: ApiKeyRecord): Promise<boolean> {
    return this.keys.update(key);
  }
  async getApiKey(keyId: string): Promise<ApiKeyRecord | null> {
    return this.keys.get(keyId);
  }
  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }
  async deleteApiKey(keyId: string): Promise<boolean> {
    return this.keys.delete(keyId);
  }
  async tokenSigningSecret(candidate: string): Promise<string> {
    return this.keys.tokenSigningSecret(candidate);
  }
  async requeueLapsedClaim(
    task: Pick<TaskRecord, 'taskId' | 'workflowPriority'>,
    expected: AttemptFence,
    now: number,
  ): Promise<TaskRecord | null> {
    return requeueLapsedClaim(this.db, this.rows, task.taskId, expected, now);
  }
  // ---- search and operators' operations (operations-port.ts)
  async searchWorkflows(req: SearchRequest): Promise<SearchPage<WorkflowSummaryRecord>> {
    return searchWorkflows(this.db, req);
  }
  async searchTasks(req: SearchRequest): Promise<SearchPage<TaskRecord>> {
    return searchTasks(this.db, req);
  }
  async deleteFinishedTasks(workflowId: string): Promise<number> {
    return this.ops.deleteFinishedTasks(workflowId);
  }
  async removeWorkflow(workflowId: string): Promise<boolean> {
    return this.ops.removeWorkflow(workflowId);
  }
  async appendTaskLog(entry: TaskLogEntry & { workflowId: string }): Promise<void> {
    this.ops.appendTaskLog(entry);
  }
  async taskLogs(taskId: string, limit: number): Promise<TaskLogEntry[]> {
    return this.ops.taskLogs(taskId, limit);
  }
  async recordPollData(entry: PollDataEntry, forgetBefore: number): Promise<void> {
    this.ops.recordPollData(entry, forgetBefore);
  }
  async pollData(queueName: string | null): Promise<PollDataEntry[]> {
    return this.ops.pollData(queueName);
  }
  async queueDepths(now: number): Promise<Record<string, number>> {
    return this.ops.queueDepths(now);
  }
  async completeOpenAttempt(
    taskId: string,
    expected: OpenAttemptFence,
    result: { status: TaskStatus; outputData: JsonObject; reasonForIncompletion: string | null },
    now: number,
  ): Promise<TaskRecord | null> {
    return this.ops.completeOpenAttempt(taskId, expected, result, now);
  }
}

delegateReactions(SqliteStore.prototype, (s) => s.reactions);
delegateListeners(SqliteStore.prototype, (s) => s.listeners);
