import type { Binary, Collection, Db } from 'mongodb';
import type { TaskDoc, WorkflowDoc } from './codec';

export interface DefinitionDoc {
  _id: string;
  name: string;
  version?: number;
  json: string;
}

export interface ChangeDoc {
  name: string;
  changedAt: number;
  changedBy: string;
  beforeJson: string | null;
  afterJson: string | null;
}

/** A task type's rate limit window (rate-limit.ts). */
export interface RateWindowDoc {
  _id: string;
  windowStart: number;
  taken: number;
}

/** A definition as runs started with it, by content hash. */
export interface SnapshotDoc {
  _id: string;
  json: string;
}

/** A finished run moved out by retention: workflow and tasks as gzipped JSON. */
export interface ArchiveDoc {
  _id: string;
  workflowName: string;
  endTime: number;
  archivedAt: number;
  doc: Binary;
}

export interface Collections {
  taskDefs: Collection<DefinitionDoc>;
  taskDefChanges: Collection<ChangeDoc>;
  workflowDefs: Collection<DefinitionDoc>;
  workflows: Collection<WorkflowDoc>;
  tasks: Collection<TaskDoc>;
  rateWindows: Collection<RateWindowDoc>;
  snapshots: Collection<SnapshotDoc>;
  archive: Collection<ArchiveDoc>;
}

export function collections(db: Db): Collections {
  return {
    taskDefs: db.collection<DefinitionDoc>('task_defs'),
    taskDefChanges: db.collection<ChangeDoc>('task_def_changes'),
    workflowDefs: db.collection<DefinitionDoc>('workflow_defs'),
    workflows: db.collection<WorkflowDoc>('workflows'),
    tasks: db.collection<TaskDoc>('tasks'),
    rateWindows: db.collection<RateWindowDoc>('rate_windows'),
    snapshots: db.collection<SnapshotDoc>('definition_snapshots'),
    archive: db.collection<ArchiveDoc>('archived_workflows'),
  };
}

/**
 * Indexes, created idempotently at start-up (createIndex with the same spec is a no-op). Each
 * one serves a named query; the claim index lets the claim's findOneAndUpdate walk the queue of
 * one type in rank order without scanning or sorting in memory.
 */
export async function ensureIndexes(c: Collections): Promise<void> {
  await Promise.all([
    c.workflowDefs.createIndex({ name: 1, version: -1 }, { name: 'by_name_version' }),
    c.taskDefChanges.createIndex({ name: 1, changedAt: -1 }, { name: 'by_name' }),
    c.workflows.createIndex({ createTime: -1 }, { name: 'by_time' }),
    c.workflows.createIndex({ workflowName: 1, createTime: -1 }, { name: 'by_name' }),
    c.workflows.createIndex({ correlationId: 1 }, { name: 'by_correlation' }),
    c.workflows.createIndex({ wakeAt: 1 }, { name: 'timers' }),
    // Retention: ended runs by end time.
    c.workflows.createIndex({ endTime: 1 }, { name: 'ended' }),
    c.archive.createIndex({ archivedAt: 1 }, { name: 'by_archive_time' }),
    c.tasks.createIndex({ taskType: 1, status: 1, queued: 1, rank: 1 }, { name: 'claim' }),
    c.tasks.createIndex({ workflowInstanceId: 1, seq: 1 }, { name: 'by_workflow' }),
    c.tasks.createIndex({ status: 1, leaseUntil: 1 }, { name: 'leases' }),
    c.tasks.createIndex({ applied: 1, updateTime: 1 }, { name: 'unapplied' }),
    // Tasks of decisions not yet published (commit-decision.ts), oldest first.
    c.tasks.createIndex({ status: 1, updateTime: 1 }, { name: 'pending' }),
    c.tasks.createIndex({ status: 1, wakeAt: 1 }, { name: 'timers' }),
    // One index per kind of deadline the sweeper looks for (leases above).
    c.tasks.createIndex({ status: 1, pollDeadlineAt: 1 }, { name: 'poll_deadlines' }),
    c.tasks.createIndex({ status: 1, deadlineAt: 1 }, { name: 'deadlines' }),
    // Poison tasks, newest first, of every type or of one.
    c.tasks.createIndex({ exhausted: 1, updateTime: -1 }, { name: 'exhausted' }),
    c.tasks.createIndex({ exhausted: 1, taskType: 1, updateTime: -1 }, { name: 'exhausted_by_type' }),
  ]);
}
