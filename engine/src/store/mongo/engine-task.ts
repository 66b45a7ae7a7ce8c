import type { Filter } from 'mongodb';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { EngineTaskFence, EngineTaskResult } from '../port';
import { docToTask, type TaskDoc } from './codec';
import type { Collections } from './collections';

/**
 * Writes of engine-held tasks (WAIT, HUMAN, SUB_WORKFLOW, START_WORKFLOW: queued=false, no claim).
 * Atomic: one findOneAndUpdate whose filter is "still open, engine-held (and at the timer the
 * caller saw)", so a REST completion, the sweeper's timer and a child workflow's end racing on
 * one task act once, whichever engine they run in.
 */
export async function completeEngineTask(
  c: Collections,
  taskId: string,
  expected: EngineTaskFence,
  result: EngineTaskResult,
  now: number,
): Promise<TaskRecord | null> {
  const doc = await c.tasks.findOneAndUpdate(
    engineTaskFilter(taskId, expected),
    {
      $set: {
        status: result.status,
        outputJson: JSON.stringify(result.outputData),
        reasonForIncompletion: result.reasonForIncompletion,
        endTime: now,
        updateTime: now,
        wakeAt: 0,
        applied: false,
      },
    },
    { returnDocument: 'after' },
  );
  return doc ? docToTask(doc) : null;
}

export async function rescheduleEngineTask(
  c: Collections,
  taskId: string,
  expected: EngineTaskFence,
  wakeAt: number,
  now: number,
): Promise<boolean> {
  const r = await c.tasks.updateOne(engineTaskFilter(taskId, expected), { $set: { wakeAt, updateTime: now } });
  return r.modifiedCount === 1;
}

function engineTaskFilter(taskId: string, f: EngineTaskFence): Filter<TaskDoc> {
  const filter: Filter<TaskDoc> = { _id: taskId, status: TaskStatus.IN_PROGRESS, queued: false };
  if (f.wakeAt !== undefined) filter.wakeAt = f.wakeAt;
  return filter;
}
