import { gunzipSync, gzipSync } from 'node:zlib';
import { Binary } from 'mongodb';
import type { StoredWorkflow, TaskRecord } from '../../domain/records';
import type { ArchivedWorkflow } from '../port';
import { docToTask, docToWorkflow } from './codec';
import type { Collections } from './collections';

const ended = ['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED'];

/**
 * Retention of finished runs (runtime/retention.ts drives it), one run at a time with
 * single-document writes: archive it (insert-if-absent, so a repeat after a crash keeps the first,
 * complete copy), delete its tasks, then the workflow. A crash in between leaves a run that the
 * next pass finds again (its workflow document goes last) and finishes. Several engines may run
 * it at once: every step is idempotent. Runs still owing a failure workflow (wakeAt > 0) stay.
 */
export async function purgeEnded(c: Collections, endedBefore: number, limit: number, archive: boolean, now: number): Promise<number> {
  const docs = await c.workflows
    .find({ endTime: { $gt: 0, $lt: endedBefore }, wakeAt: 0, status: { $in: ended } })
    .sort({ endTime: 1 })
    .limit(limit)
    .toArray();
  for (const d of docs) {
    if (archive) {
      const workflow = docToWorkflow(d);
      const tasks = (await c.tasks.find({ workflowInstanceId: d._id }).sort({ seq: 1 }).toArray()).map(docToTask);
      const doc = new Binary(gzipSync(JSON.stringify({ workflow, tasks })));
      await c.archive.updateOne(
        { _id: d._id },
        { $setOnInsert: { workflowName: d.workflowName, endTime: d.endTime, archivedAt: now, doc } },
        { upsert: true },
      );
    }
    await c.tasks.deleteMany({ workflowInstanceId: d._id });
    await c.workflows.deleteOne({ _id: d._id });
  }
  return docs.length;
}

export async function getArchived(c: Collections, workflowId: string): Promise<ArchivedWorkflow | null> {
  const d = await c.archive.findOne({ _id: workflowId });
  if (!d) return null;
  const { workflow, tasks } = JSON.parse(gunzipSync(d.doc.buffer).toString('utf8')) as { workflow: StoredWorkflow; tasks: TaskRecord[] };
  return { workflow, tasks, archivedAt: d.archivedAt };
}

export async function purgeArchive(c: Collections, before: number, limit: number): Promise<number> {
  const ids = (
    await c.archive
      .find({ archivedAt: { $lt: before } }, { projection: { _id: 1 } })
      .sort({ archivedAt: 1 })
      .limit(limit)
      .toArray()
  ).map((d) => d._id);
  if (ids.length) await c.archive.deleteMany({ _id: { $in: ids } });
  return ids.length;
}
