import type { Filter } from 'mongodb';
import { rankOf } from '../../domain/priority';
import { TaskStatus } from '../../domain/status';
import type { AttemptReport, ProgressReport, ReportOutcome } from '../port';
import { classifyRejected, externallyCompletable } from '../../domain/fencing';
import { docToTask, type TaskDoc } from './codec';
import type { Collections } from './collections';

/**
 * A worker's report. Atomic: one findOneAndUpdate whose filter is the claim itself (task id,
 * IN_PROGRESS, attempt token or worker id) writes the result; a report that does not hold the
 * claim matches nothing and changes nothing. Only then is the task read to say why (duplicate,
 * stale, unknown). Round trips: 1 on the normal path, 2 on a rejected report.
 */
export async function completeAttempt(c: Collections, r: AttemptReport): Promise<ReportOutcome> {
  const doc = await c.tasks.findOneAndUpdate(
    refusing(claimFilter(r.taskId, r.attemptToken, r.workerId), r.refuseTaskTypes),
    {
      $set: {
        status: r.status,
        outputJson: JSON.stringify(r.outputData),
        reasonForIncompletion: r.reasonForIncompletion,
        endTime: r.now,
        updateTime: r.now,
        leaseUntil: 0,
        wakeAt: 0,
        applied: false,
      },
      ...(r.logs.length ? { $push: { logs: { $each: r.logs } } } : {}),
    },
    { returnDocument: 'after' },
  );
  if (doc) return { kind: 'applied', task: docToTask(doc) };
  return rejected(c, r.taskId, r);
}

export async function progressAttempt(c: Collections, r: ProgressReport): Promise<ReportOutcome> {
  const set: Partial<TaskDoc> = { updateTime: r.now };
  if (Object.keys(r.outputData).length) set.outputJson = JSON.stringify(r.outputData);
  if (r.callbackAfterMs > 0) {
    // Re-queueing needs the workflow priority for the rank: one read first (the rare path); the
    // write below is still fenced by the claim, so the read cannot make it unsafe.
    const current = await c.tasks.findOne({ _id: r.taskId }, { projection: { workflowPriority: 1 } });
    if (!current) return { kind: 'not_found' };
    Object.assign(set, {
      status: TaskStatus.SCHEDULED,
      visibleAt: r.now + r.callbackAfterMs,
      rank: rankOf(r.now + r.callbackAfterMs, current.workflowPriority),
      callbackAfterSeconds: Math.round(r.callbackAfterMs / 1000),
      leaseUntil: 0,
      attemptToken: null,
      pollDeadlineAt: r.pollDeadlineAt ?? 0,
    });
  } else {
    set.leaseUntil = r.now + r.leaseMs;
  }
  const doc = await c.tasks.findOneAndUpdate(
    // An engine-held task has no lease to extend nor queue to return to: only a terminal report fits it.
    refusing(claimFilter(r.taskId, r.attemptToken, r.workerId, false), r.refuseTaskTypes),
    { $set: set, ...(r.logs.length ? { $push: { logs: { $each: r.logs } } } : {}) },
    { returnDocument: 'after' },
  );
  if (doc) return { kind: 'applied', task: docToTask(doc) };
  const t = await c.tasks.findOne({ _id: r.taskId });
  if (!t) return { kind: 'not_found' };
  const task = docToTask(t);
  return { kind: r.refuseTaskTypes?.includes(task.taskType) ? 'refused' : 'stale', task };
}

function claimFilter(taskId: string, token: string | null, workerId: string | null, engineHeld = true): Filter<TaskDoc> {
  const f: Filter<TaskDoc> = { _id: taskId, status: TaskStatus.IN_PROGRESS, queued: true };
  if (token !== null) f.attemptToken = token;
  // Conductor's clients send no token: the worker id of the claim is the fence we have.
  else if (workerId !== null) f.workerId = { $in: [workerId, null] };
  // Without a token, an engine-held WAIT or HUMAN task (no claim) may be completed too.
  if (token === null && engineHeld) {
    const { _id, status, ...claimed } = f;
    return { _id, status, $or: [claimed, { queued: false, workflowTaskType: { $in: [...externallyCompletable] } }] };
  }
  return f;
}

async function rejected(c: Collections, taskId: string, r: AttemptReport): Promise<ReportOutcome> {
  const t = await c.tasks.findOne({ _id: taskId });
  if (!t) return { kind: 'not_found' };
  const task = docToTask(t);
  return r.refuseTaskTypes?.includes(task.taskType) ? { kind: 'refused', task } : classifyRejected(task, r);
}

/** The claim filter, also matching nothing of the task types the report may not touch. */
function refusing(f: Filter<TaskDoc>, types: readonly string[] | undefined): Filter<TaskDoc> {
  return types?.length ? { ...f, taskType: { $nin: [...types] } } : f;
}
