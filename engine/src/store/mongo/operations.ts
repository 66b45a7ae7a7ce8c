import type { Collection, Db } from 'mongodb';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { OpenAttemptFence, PollDataEntry, TaskLogEntry } from '../operations-port';
import { NO_DEADLINE, docToTask } from './codec';
import type { Collections } from './collections';

interface TaskLogDoc {
  taskId: string;
  workflowId: string;
  createdTime: number;
  seq: number;
  log: string;
}

interface PollDataDoc {
  _id: string;
  queueName: string;
  workerId: string;
  domain: string | null;
  lastPollTime: number;
}

const terminal = [
  TaskStatus.COMPLETED,
  TaskStatus.COMPLETED_WITH_ERRORS,
  TaskStatus.FAILED,
  TaskStatus.FAILED_WITH_TERMINAL_ERROR,
  TaskStatus.TIMED_OUT,
  TaskStatus.CANCELED,
  TaskStatus.SKIPPED,
];

/**
 * Operators' operations (operations-port.ts). Atomicity per operation: a completion is one
 * findOneAndUpdate fenced by status and claim token; poll data one upsert; a removal deletes tasks,
 * then logs, then the workflow, so a crash in between leaves a workflow to remove again, never
 * tasks without their workflow.
 */
export class MongoOperations {
  private readonly logs: Collection<TaskLogDoc>;
  private readonly polls: Collection<PollDataDoc>;
  private logSeq = 0;

  constructor(
    private readonly c: Collections,
    db: Db,
  ) {
    this.logs = db.collection<TaskLogDoc>('task_logs');
    this.polls = db.collection<PollDataDoc>('poll_data');
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.logs.createIndex({ taskId: 1, createdTime: 1, seq: 1 }, { name: 'by_task' }),
      this.logs.createIndex({ workflowId: 1 }, { name: 'by_workflow' }),
      this.polls.createIndex({ queueName: 1, lastPollTime: -1 }, { name: 'by_queue' }),
    ]);
  }

  async deleteFinishedTasks(workflowId: string): Promise<number> {
    return (await this.c.tasks.deleteMany({ workflowInstanceId: workflowId, status: { $in: terminal } })).deletedCount;
  }

  async removeWorkflow(workflowId: string): Promise<boolean> {
    await this.c.tasks.deleteMany({ workflowInstanceId: workflowId });
    await this.logs.deleteMany({ workflowId });
    return (await this.c.workflows.deleteOne({ _id: workflowId })).deletedCount === 1;
  }

  async appendTaskLog(e: TaskLogEntry & { workflowId: string }): Promise<void> {
    // seq orders lines of the same millisecond from this engine.
    await this.logs.insertOne({ taskId: e.taskId, workflowId: e.workflowId, createdTime: e.createdTime, seq: this.logSeq++, log: e.log });
  }

  async taskLogs(taskId: string, limit: number): Promise<TaskLogEntry[]> {
    const docs = await this.logs.find({ taskId }).sort({ createdTime: 1, seq: 1 }).limit(limit).toArray();
    return docs.map((d) => ({ taskId: d.taskId, createdTime: d.createdTime, log: d.log }));
  }

  async recordPollData(e: PollDataEntry, forgetBefore: number): Promise<void> {
    await this.polls.updateOne(
      { _id: `${e.queueName}\u0000${e.workerId}` },
      { $set: { queueName: e.queueName, workerId: e.workerId, domain: e.domain }, $max: { lastPollTime: e.lastPollTime } },
      { upsert: true },
    );
    await this.polls.deleteMany({ queueName: e.queueName, lastPollTime: { $lt: forgetBefore } });
  }

  async pollData(queueName: string | null): Promise<PollDataEntry[]> {
    const docs = await this.polls
      .find(queueName === null ? {} : { queueName })
      .sort({ queueName: 1, lastPollTime: -1 })
      .toArray();
    return docs.map((d) => ({ queueName: d.queueName, workerId: d.workerId, domain: d.domain, lastPollTime: d.lastPollTime }));
  }

  async queueDepths(now: number): Promise<Record<string, number>> {
    // The claim index leads with taskType: a distinct scan, then one bounded count per type.
    const types = (await this.c.tasks.distinct('taskType', { status: TaskStatus.SCHEDULED, queued: true })) as string[];
    const out: Record<string, number> = {};
    for (const t of types) {
      const n = await this.c.tasks.countDocuments({ taskType: t, status: TaskStatus.SCHEDULED, queued: true, visibleAt: { $lte: now } });
      if (n > 0) out[t] = n;
    }
    return out;
  }

  async completeOpenAttempt(
    taskId: string,
    expected: OpenAttemptFence,
    result: { status: TaskStatus; outputData: JsonObject; reasonForIncompletion: string | null },
    now: number,
  ): Promise<TaskRecord | null> {
    const current = await this.c.tasks.findOne({ _id: taskId });
    const doc = await this.c.tasks.findOneAndUpdate(
      { _id: taskId, queued: true, status: expected.status, attemptToken: expected.attemptToken },
      {
        $set: {
          status: result.status,
          outputJson: JSON.stringify(result.outputData),
          reasonForIncompletion: result.reasonForIncompletion,
          startTime: current?.startTime || now,
          endTime: now,
          updateTime: now,
          leaseUntil: 0,
          wakeAt: 0,
          pollDeadlineAt: 0,
          deadlineAt: NO_DEADLINE,
          applied: false,
        },
      },
      { returnDocument: 'after' },
    );
    return doc ? docToTask(doc) : null;
  }
}
