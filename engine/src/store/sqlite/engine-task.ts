import type Database from 'better-sqlite3';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { EngineTaskFence, EngineTaskResult } from '../port';
import type { Rows } from './rows';

/**
 * Writes of engine-held tasks (WAIT, HUMAN, SUB_WORKFLOW, START_WORKFLOW: queued=false, no claim).
 * Atomic: one transaction reads the task and writes only if it is still open and engine-held
 * (and still at the timer the caller saw), so a REST completion, the sweeper's timer and a
 * child workflow's end racing on one task act once.
 */
export function completeEngineTask(
  db: Database.Database,
  rows: Rows,
  taskId: string,
  expected: EngineTaskFence,
  result: EngineTaskResult,
  now: number,
): TaskRecord | null {
  return db.transaction((): TaskRecord | null => {
    const t = rows.getTask(taskId);
    if (!t || !holdsEngineTask(t, expected)) return null;
    const done: TaskRecord = {
      ...t,
      status: result.status,
      outputData: result.outputData,
      reasonForIncompletion: result.reasonForIncompletion,
      endTime: now,
      updateTime: now,
      wakeAt: 0,
      applied: false,
    };
    rows.putTask(done);
    return done;
  })();
}

export function rescheduleEngineTask(
  db: Database.Database,
  rows: Rows,
  taskId: string,
  expected: EngineTaskFence,
  wakeAt: number,
  now: number,
): boolean {
  return db.transaction((): boolean => {
    const t = rows.getTask(taskId);
    if (!t || !holdsEngineTask(t, expected)) return false;
    rows.putTaskMeta({ ...t, wakeAt, updateTime: now });
    return true;
  })();
}

export function holdsEngineTask(t: TaskRecord, f: EngineTaskFence): boolean {
  return t.status === TaskStatus.IN_PROGRESS && !t.queued && (f.wakeAt === undefined || t.wakeAt === f.wakeAt);
}
