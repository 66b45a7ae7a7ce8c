import type { AnyBulkWriteOperation } from 'mongodb';
import type { StoredWorkflow, TaskRecord } from '../../domain/records';
import { TaskStatus, isTerminalTask, isTerminalWorkflow } from '../../domain/status';
import type { CommitDecision } from '../port';
import { docToWorkflow, stepKey, taskToDoc, workflowPatch, workflowToDoc, type TaskDoc } from './codec';
import type { Collections } from './collections';
import { isDuplicateKey } from './definitions';
import { outboxFields, outboxUpdate } from './listeners';
import type { ListenerDelivery } from '../../domain/listeners';

/** The status of a task inserted by a decision that has not passed its revision fence yet. */
export const PENDING_COMMIT = 'PENDING_COMMIT';

const open = [TaskStatus.SCHEDULED, TaskStatus.IN_PROGRESS];

/**
 * createWorkflow and commitDecision, with single-document atomicity only:
 *  1. insert the new tasks as PENDING_COMMIT (their real status aside in `commitStatus`): no
 *     claim, sweep or report matches that status, so nothing of a decision can be taken before
 *     the decision holds (unordered; a duplicate _id means an earlier decision already scheduled
 *     that attempt: deterministic ids make the insert idempotent);
 *  2. update the workflow document only if its revision is the one decided on (the fence between
 *     deciders racing on one workflow, in one engine or several), setting the fields and the
 *     steps that changed and nothing else;
 *  3. in one bulkWrite, publish the new tasks (PENDING_COMMIT -> their status), mark the folded
 *     results applied (and the ones their step gave up on exhausted), close the cancelled tasks
 *     (each a conditional update that only touches a task still open, so a worker's report wins)
 *     and write the outputs of open decider-held tasks.
 * A decision that loses at 2 leaves only PENDING_COMMIT tasks no one can claim; recoverPending
 * deletes them later. A crash after 2 leaves the committed decision's tasks pending, and
 * recoverPending publishes them (the workflow's step names them); the results it folded stay
 * unapplied, and deciding them again changes nothing and marks them (an `exhausted` mark lost
 * that way is not redone: the poison list misses that attempt, the workflow's own status and
 * failedReferenceTaskNames still tell).
 * Round trips: 3 (2 when a decision schedules and marks nothing).
 */
export async function createWorkflow(
  c: Collections,
  wf: StoredWorkflow,
  tasks: TaskRecord[],
  outbox?: ListenerDelivery[],
): Promise<boolean> {
  const dups = await insertPending(c, tasks, wf.revision);
  try {
    // Listener deliveries of the start ride in the workflow document (listeners.ts relays them).
    await c.workflows.insertOne({ ...workflowToDoc(wf), ...outboxFields(outbox, wf.createTime) });
  } catch (err) {
    // The unique _id makes a repeated start with a deterministic id a no-op (failure workflows);
    // its first tasks have deterministic ids too, so step 1 inserted nothing new.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  const ops = publishOps(tasks, dups);
  if (ops.length) await c.tasks.bulkWrite(ops, { ordered: false });
  return true;
}

export async function commitDecision(c: Collections, d: CommitDecision): Promise<boolean> {
  const dups = await insertPending(c, d.newTasks, d.expectedRevision + 1);
  const set: Record<string, unknown> = { ...workflowPatch(d.workflow) };
  const unset: Record<string, ''> = {};
  if (d.meta) set.meta = d.meta;
  for (const [ref, step] of Object.entries(d.steps?.set ?? {})) set[`steps.${stepKey(ref)}`] = JSON.stringify(step);
  for (const ref of d.steps?.unset ?? []) unset[`steps.${stepKey(ref)}`] = '';
  // Listener deliveries ride in the same fenced update as the change (listeners.ts relays them).
  const outbox = outboxUpdate(d.outbox, d.now);
  Object.assign(set, outbox.set);
  const res = await c.workflows.updateOne(
    { _id: d.workflowId, revision: d.expectedRevision },
    {
      $set: set,
      ...(Object.keys(unset).length ? { $unset: unset } : {}),
      ...(outbox.push ? { $push: outbox.push } : {}),
      $inc: { revision: 1 },
    },
  );
  if (res.matchedCount === 0) return false;
  const ops = publishOps(d.newTasks, dups);
  if (d.appliedTaskIds.length) {
    ops.push({ updateMany: { filter: { _id: { $in: d.appliedTaskIds }, applied: false }, update: { $set: { applied: true } } } });
  }
  if (d.exhaustedTaskIds?.length) {
    ops.push({
      updateMany: {
        filter: { _id: { $in: d.exhaustedTaskIds }, status: { $nin: [...open, PENDING_COMMIT] } },
        update: { $set: { exhausted: true } },
      },
    });
  }
  for (const t of d.closeTasks) {
    const close: Partial<TaskDoc> = {
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
    ops.push({ updateOne: { filter: { _id: t.taskId, status: { $in: open } }, update: { $set: close } } });
  }
  for (const t of d.taskOutputs ?? []) {
    ops.push({
      updateOne: { filter: { _id: t.taskId, status: { $in: open } }, update: { $set: { outputJson: JSON.stringify(t.output) } } },
    });
  }
  if (ops.length) await c.tasks.bulkWrite(ops, { ordered: false });
  return true;
}

/** Inserts tasks as PENDING_COMMIT; answers the ids that existed already. */
async function insertPending(c: Collections, tasks: TaskRecord[], revision: number): Promise<Set<string>> {
  const dups = new Set<string>();
  if (!tasks.length) return dups;
  const docs = tasks.map((t) => ({ ...taskToDoc(t), status: PENDING_COMMIT, commitStatus: t.status, decidedRevision: revision }));
  try {
    await c.tasks.insertMany(docs, { ordered: false });
  } catch (err) {
    // Every failure must be a duplicate id (already scheduled); anything else is real.
    const writeErrors = (err as { writeErrors?: Array<{ code?: number; index?: number }> | { code?: number; index?: number } }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 ? !isDuplicateKey(err) : list.some((e) => e.code !== 11000)) throw err;
    for (const e of list) if (typeof e.index === 'number') dups.add(docs[e.index]?._id ?? '');
  }
  return dups;
}

/**
 * Publishes a committed decision's tasks: a status flip per status for those it inserted, and a
 * replace, when still pending, for those another (losing) decision had inserted first under the
 * same deterministic id, so the content is this decision's.
 */
function publishOps(tasks: TaskRecord[], dups: ReadonlySet<string>): AnyBulkWriteOperation<TaskDoc>[] {
  const ops: AnyBulkWriteOperation<TaskDoc>[] = [];
  const byStatus = new Map<string, string[]>();
  for (const t of tasks) {
    if (dups.has(t.taskId)) {
      ops.push({ replaceOne: { filter: { _id: t.taskId, status: PENDING_COMMIT }, replacement: taskToDoc(t) } });
      continue;
    }
    const ids = byStatus.get(t.status);
    if (ids) ids.push(t.taskId);
    else byStatus.set(t.status, [t.taskId]);
  }
  for (const [status, ids] of byStatus) {
    ops.push({
      updateMany: {
        filter: { _id: { $in: ids }, status: PENDING_COMMIT },
        update: { $set: { status }, $unset: { commitStatus: '', decidedRevision: '' } },
      },
    });
  }
  return ops;
}

/**
 * Settles tasks left PENDING_COMMIT for longer than a grace period (the sweeper calls this): a
 * task its workflow's step names, in a revision at or past the one that inserted it, belongs to a
 * decision that committed and then crashed before publishing: it is published (cancelled if the
 * workflow ended meanwhile). Anything else belongs to a decision that lost its race or never
 * reached its fence: it is deleted. Answers how many it settled.
 */
export async function recoverPending(c: Collections, before: number, limit: number): Promise<number> {
  const stale = (await c.tasks
    .find({ status: PENDING_COMMIT, updateTime: { $lt: before } })
    .limit(limit)
    .toArray()) as Array<TaskDoc & { commitStatus?: string; decidedRevision?: number }>;
  const workflows = new Map<string, StoredWorkflow | null>();
  let settled = 0;
  for (const t of stale) {
    let wf = workflows.get(t.workflowInstanceId);
    if (wf === undefined) {
      const doc = await c.workflows.findOne({ _id: t.workflowInstanceId });
      wf = doc ? docToWorkflow(doc) : null;
      workflows.set(t.workflowInstanceId, wf);
    }
    const committed = wf !== null && wf.revision >= (t.decidedRevision ?? Infinity) && wf.state.steps[t.refName]?.taskId === t._id;
    if (!committed || !wf) {
      await c.tasks.deleteOne({ _id: t._id, status: PENDING_COMMIT });
    } else {
      const wanted = t.commitStatus ?? TaskStatus.SCHEDULED;
      const status = isTerminalWorkflow(wf.status) && !isTerminalTask(wanted) ? TaskStatus.CANCELED : wanted;
      await c.tasks.updateOne(
        { _id: t._id, status: PENDING_COMMIT },
        { $set: { status }, $unset: { commitStatus: '', decidedRevision: '' } },
      );
    }
    settled++;
  }
  return settled;
}
