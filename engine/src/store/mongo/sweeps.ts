import type { Filter } from 'mongodb';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { TimeoutAlert, TimeoutKind } from '../../domain/timeouts';
import type { AttemptFence, DeadlineUpdate } from '../port';
import { docToTask, toDeadline, type TaskDoc } from './codec';
import { PENDING_COMMIT } from './commit-decision';
import type { Collections } from './collections';

/**
 * The sweeper's reads (each served by an index) and its writes. timeOutAttempt and
 * recordTimeoutAlert are atomic like a report: one findOneAndUpdate whose filter is the state the
 * sweeper saw (status, claim token, and the lease or deadline that fired), so when several
 * engines sweep the same expired attempt exactly one of them acts, and a report, lease extension
 * or re-queue that lands first wins.
 */
export class MongoSweeps {
  constructor(private readonly c: Collections) {}

  async expiredLeases(now: number, limit: number): Promise<TaskRecord[]> {
    return this.find({ status: TaskStatus.IN_PROGRESS, leaseUntil: { $gt: 0, $lte: now } }, { leaseUntil: 1 }, limit);
  }

  async expiredPollDeadlines(now: number, limit: number): Promise<TaskRecord[]> {
    return this.find({ status: TaskStatus.SCHEDULED, pollDeadlineAt: { $gt: 0, $lte: now } }, { pollDeadlineAt: 1 }, limit);
  }

  async expiredDeadlines(now: number, limit: number): Promise<TaskRecord[]> {
    // Two index ranges (one per status) rather than $in, so each stays a bounded index scan.
    const [scheduled, running] = await Promise.all(
      [TaskStatus.SCHEDULED, TaskStatus.IN_PROGRESS].map((status) =>
        this.find({ status, deadlineAt: { $gt: 0, $lte: now } }, { deadlineAt: 1 }, limit),
      ),
    );
    return [...(scheduled ?? []), ...(running ?? [])].sort((a, b) => a.deadlineAt - b.deadlineAt).slice(0, limit);
  }

  async timeOutAttempt(
    taskId: string,
    expected: AttemptFence,
    reason: string,
    now: number,
    timedOutBy: TimeoutKind | null,
  ): Promise<TaskRecord | null> {
    const doc = await this.c.tasks.findOneAndUpdate(
      fenceFilter(taskId, expected),
      {
        $set: {
          status: TaskStatus.TIMED_OUT,
          reasonForIncompletion: reason,
          endTime: now,
          updateTime: now,
          leaseUntil: 0,
          wakeAt: 0,
          applied: false,
          timedOutBy,
        },
      },
      { returnDocument: 'after' },
    );
    return doc ? docToTask(doc) : null;
  }

  async recordTimeoutAlert(
    taskId: string,
    expected: AttemptFence,
    alert: TimeoutAlert,
    next: DeadlineUpdate,
    now: number,
  ): Promise<TaskRecord | null> {
    const set: Partial<TaskDoc> = { updateTime: now };
    if (next.pollDeadlineAt !== undefined) set.pollDeadlineAt = next.pollDeadlineAt;
    if (next.deadlineAt !== undefined) set.deadlineAt = toDeadline(next.deadlineAt);
    const doc = await this.c.tasks.findOneAndUpdate(
      fenceFilter(taskId, expected),
      { $set: set, $push: { timeoutAlerts: alert } },
      { returnDocument: 'after' },
    );
    return doc ? docToTask(doc) : null;
  }

  async workflowsWithUnappliedResults(before: number, limit: number): Promise<string[]> {
    const docs = await this.c.tasks
      .find({ applied: false, updateTime: { $lte: before }, status: { $ne: PENDING_COMMIT } }, { projection: { workflowInstanceId: 1 } })
      .sort({ updateTime: 1 })
      .limit(limit)
      .toArray();
    return [...new Set(docs.map((d) => d.workflowInstanceId))];
  }

  async dueWorkflowTimers(now: number, limit: number): Promise<string[]> {
    const docs = await this.c.workflows
      .find({ wakeAt: { $gt: 0, $lte: now } }, { projection: { _id: 1 } })
      .sort({ wakeAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  async dueTaskTimers(now: number, limit: number): Promise<TaskRecord[]> {
    return this.find({ status: TaskStatus.IN_PROGRESS, wakeAt: { $gt: 0, $lte: now } }, { wakeAt: 1 }, limit);
  }

  async failedTasks(taskType: string | null, limit: number): Promise<TaskRecord[]> {
    return this.find({ exhausted: true, ...(taskType ? { taskType } : {}) }, { updateTime: -1 }, limit);
  }

  private async find(filter: Filter<TaskDoc>, sort: Record<string, 1 | -1>, limit: number): Promise<TaskRecord[]> {
    return (await this.c.tasks.find(filter).sort(sort).limit(limit).toArray()).map(docToTask);
  }
}

function fenceFilter(taskId: string, f: AttemptFence): Filter<TaskDoc> {
  const filter: Filter<TaskDoc> = { _id: taskId, status: f.status, attemptToken: f.attemptToken };
  if (f.leaseUntil !== undefined) filter.leaseUntil = f.leaseUntil;
  if (f.pollDeadlineAt !== undefined) filter.pollDeadlineAt = f.pollDeadlineAt;
  if (f.deadlineAt !== undefined) filter.deadlineAt = toDeadline(f.deadlineAt);
  return filter;
}
