import type { AnyBulkWriteOperation } from 'mongodb';
import type { TaskRecord, WorkflowRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { CommitDecision } from '../port';
import { taskToDoc, workflowPatch, workflowToDoc, type TaskDoc } from './codec';
import type { Collections } from './collections';
import { isDuplicateKey } from './definitions';

const open = [TaskStatus.SCHEDULED, TaskStatus.IN_PROGRESS];

/**
 * createWorkflow and commitDecision, with single-document atomicity only:
 *  1. insert the new tasks (unordered; a duplicate _id means an earlier decision already
 *     scheduled that attempt: deterministic ids make the insert idempotent);
 *  2. update the workflow document only if its revision is the one decided on (the fence
 *     between deciders racing on one workflow, in one engine or several);
 *  3. in one bulkWrite, mark the folded results applied (and the ones their step gave up on
 *     exhausted) and close the cancelled tasks (each a conditional update that only touches a
 *     task still open, so a worker's report wins).
 * A crash after 1 leaves unreferenced tasks of a decision that never committed: the results stay
 * unapplied, the sweeper decides again, and the same ids are inserted again as no-ops. A crash
 * after 2 leaves results marked unapplied; deciding them again changes nothing and marks them
 * (an `exhausted` mark lost that way is not redone: the poison list misses that attempt, the
 * workflow's own status and failedReferenceTaskNames still tell).
 * Round trips: 3 (2 when a decision schedules nothing).
 */
export async function createWorkflow(c: Collections, wf: WorkflowRecord, tasks: TaskRecord[]): Promise<boolean> {
  await insertTasks(c, tasks);
  try {
    await c.workflows.insertOne(workflowToDoc(wf));
    return true;
  } catch (err) {
    // The unique _id makes a repeated start with a deterministic id a no-op (failure workflows);
    // its first tasks have deterministic ids too, so step 1 inserted nothing new.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function commitDecision(c: Collections, d: CommitDecision): Promise<boolean> {
  await insertTasks(c, d.newTasks);
  const res = await c.workflows.updateOne(
    { _id: d.workflowId, revision: d.expectedRevision },
    { $set: workflowPatch(d.workflow), $inc: { revision: 1 } },
  );
  if (res.matchedCount === 0) return false;
  const ops: AnyBulkWriteOperation<TaskDoc>[] = [];
  if (d.appliedTaskIds.length) {
    ops.push({ updateMany: { filter: { _id: { $in: d.appliedTaskIds }, applied: false }, update: { $set: { applied: true } } } });
  }
  if (d.exhaustedTaskIds?.length) {
    ops.push({ updateMany: { filter: { _id: { $in: d.exhaustedTaskIds }, status: { $nin: open } }, update: { $set: { exhausted: true } } } });
  }
  for (const t of d.closeTasks) {
    const set: Partial<TaskDoc> = {
      status: t.status,
      reasonForIncompletion: t.reason,
      endTime: d.now,
      updateTime: d.now,
      leaseUntil: 0,
      attemptToken: null,
      wakeAt: 0,
      applied: true,
      ...(t.output ? { outputJson: JSON.stringify(t.output) } : {}),
    };
    ops.push({ updateOne: { filter: { _id: t.taskId, status: { $in: open } }, update: { $set: set } } });
  }
  if (ops.length) await c.tasks.bulkWrite(ops, { ordered: false });
  return true;
}

async function insertTasks(c: Collections, tasks: TaskRecord[]): Promise<void> {
  if (!tasks.length) return;
  try {
    await c.tasks.insertMany(tasks.map(taskToDoc), { ordered: false });
  } catch (err) {
    // Every failure must be a duplicate id (already scheduled); anything else is real.
    const writeErrors = (err as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 ? !isDuplicateKey(err) : list.some((e) => e.code !== 11000)) throw err;
  }
}
