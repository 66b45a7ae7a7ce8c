import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { JsonObject, TaskDefChange } from '../../domain/records';
import type { ChangeDoc, Collections } from './collections';

/**
 * Definitions. Atomic: each definition is one document; putTaskDefs swaps it with
 * findOneAndUpdate (upsert), which returns the previous version in the same step, then appends
 * the change record. The change record is a second write: a crash between the two keeps the new
 * definition and loses its audit entry (stated in docs/policies.md), never the reverse.
 */
export class MongoDefinitions {
  constructor(private readonly c: Collections) {}

  async getTaskDef(name: string): Promise<TaskDef | null> {
    const d = await this.c.taskDefs.findOne({ _id: name });
    return d ? (JSON.parse(d.json) as TaskDef) : null;
  }

  async listTaskDefs(): Promise<TaskDef[]> {
    return (await this.c.taskDefs.find({}).sort({ _id: 1 }).toArray()).map((d) => JSON.parse(d.json) as TaskDef);
  }

  async putTaskDefs(defs: TaskDef[], changedBy: string, now: number): Promise<void> {
    for (const def of defs) {
      const json = JSON.stringify(def);
      const before = await this.c.taskDefs.findOneAndUpdate(
        { _id: def.name },
        { $set: { name: def.name, json } },
        { upsert: true, returnDocument: 'before' },
      );
      if (before?.json === json) continue;
      await this.c.taskDefChanges.insertOne({
        name: def.name,
        changedAt: now,
        changedBy,
        beforeJson: before?.json ?? null,
        afterJson: json,
      });
    }
  }

  async deleteTaskDef(name: string, changedBy: string, now: number): Promise<boolean> {
    const before = await this.c.taskDefs.findOneAndDelete({ _id: name });
    if (!before) return false;
    await this.c.taskDefChanges.insertOne({ name, changedAt: now, changedBy, beforeJson: before.json, afterJson: null });
    return true;
  }

  async taskDefChanges(name: string | null, limit: number): Promise<TaskDefChange[]> {
    const docs = await this.c.taskDefChanges
      .find(name === null ? {} : { name })
      .sort({ changedAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map((d: ChangeDoc) => ({
      name: d.name,
      changedAt: d.changedAt,
      changedBy: d.changedBy,
      before: d.beforeJson ? (JSON.parse(d.beforeJson) as JsonObject) : null,
      after: d.afterJson ? (JSON.parse(d.afterJson) as JsonObject) : null,
    }));
  }

  /** Atomic: the (name, version) _id makes "insert unless it exists" one insert. */
  async putWorkflowDef(def: WorkflowDef, overwrite: boolean): Promise<boolean> {
    const version = def.version ?? 1;
    const doc = { _id: `${def.name}\u0000${version}`, name: def.name, version, json: JSON.stringify(def) };
    if (overwrite) {
      await this.c.workflowDefs.replaceOne({ _id: doc._id }, doc, { upsert: true });
      return true;
    }
    try {
      await this.c.workflowDefs.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async getWorkflowDef(name: string, version?: number): Promise<WorkflowDef | null> {
    const d =
      version === undefined
        ? await this.c.workflowDefs.find({ name }).sort({ version: -1 }).limit(1).next()
        : await this.c.workflowDefs.findOne({ _id: `${name}\u0000${version}` });
    return d ? (JSON.parse(d.json) as WorkflowDef) : null;
  }

  async listWorkflowDefs(): Promise<WorkflowDef[]> {
    return (await this.c.workflowDefs.find({}).sort({ name: 1, version: 1 }).toArray()).map((d) => JSON.parse(d.json) as WorkflowDef);
  }

  async deleteWorkflowDef(name: string, version: number): Promise<boolean> {
    return (await this.c.workflowDefs.deleteOne({ _id: `${name}\u0000${version}` })).deletedCount > 0;
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
