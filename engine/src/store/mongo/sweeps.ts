import type { TaskRecord } from '../../domain/records';
import type { TaskStatus } from '../../domain/status';
import { docToTask } from './codec';
import type { Collections } from './collections';

/**
 * The sweeper's reads (each served by an index) and its one write. timeOutAttempt is atomic like
 * a report: one findOneAndUpdate conditioned on the status and claim token the sweeper saw, so
 * when several engines sweep the same lapsed lease, exactly one of them times it out, and a
 * report that lands first wins.
 */
export class MongoSweeps {
  constructor(private readonly c: Collections) {}

  async expiredLeases(now: number, limit: number): Promise<TaskRecord[]> {
    const docs = await this.c.tasks
      .find({ status: 'IN_PROGRESS', leaseUntil: { $gt: 0, $lte: now } })
      .sort({ leaseUntil: 1 })
      .limit(limit)
      .toArray();
    return docs.map(docToTask);
  }

  async timeOutAttempt(taskId: string, expected: { status: TaskStatus; attemptToken: string | null }, reason: string, now: number): Promise<TaskRecord | null> {
    const doc = await this.c.tasks.findOneAndUpdate(
      { _id: taskId, status: expected.status, attemptToken: expected.attemptToken },
      { $set: { status: 'TIMED_OUT', reasonForIncompletion: reason, endTime: now, updateTime: now, leaseUntil: 0, wakeAt: 0, applied: false } },
      { returnDocument: 'after' },
    );
    return doc ? docToTask(doc) : null;
  }

  async workflowsWithUnappliedResults(before: number, limit: number): Promise<string[]> {
    const docs = await this.c.tasks
      .find({ applied: false, updateTime: { $lte: before } }, { projection: { workflowInstanceId: 1 } })
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
    const docs = await this.c.tasks
      .find({ status: 'IN_PROGRESS', wakeAt: { $gt: 0, $lte: now } })
      .sort({ wakeAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map(docToTask);
  }

  async failedTasks(taskType: string | null, limit: number): Promise<TaskRecord[]> {
    const docs = await this.c.tasks
      .find({ status: { $in: ['FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT'] }, ...(taskType ? { taskType } : {}) })
      .sort({ updateTime: -1 })
      .limit(limit)
      .toArray();
    return docs.map(docToTask);
  }
}
