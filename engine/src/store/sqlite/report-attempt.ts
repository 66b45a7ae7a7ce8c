import type Database from 'better-sqlite3';
import type { TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { AttemptReport, ProgressReport, ReportOutcome } from '../port';
import type { Rows } from './rows';
import { rankOf } from '../../domain/priority';
import { classifyRejected, ownsClaim } from '../../domain/fencing';

/**
 * A worker's report on its attempt. Atomic: one transaction reads the attempt, checks the claim
 * (status IN_PROGRESS, same attemptToken when the report carries one, same workerId when it
 * names one) and writes the result. Anything else is classified, never written.
 */
export function completeAttempt(db: Database.Database, rows: Rows, r: AttemptReport): ReportOutcome {
  return db.transaction((): ReportOutcome => {
    const out = checkReport(rows, r);
    if (out.kind === 'applied') rows.putTask(out.task);
    return out;
  })();
}

/**
 * The fenced part of a report, without writing: the attempt as the report leaves it ('applied',
 * not yet written), or why the report does not apply. Within the caller's transaction.
 */
export function checkReport(rows: Rows, r: AttemptReport): ReportOutcome {
  const t = rows.getTask(r.taskId);
  if (!t) return { kind: 'not_found' };
  if (r.refuseTaskTypes?.includes(t.taskType)) return { kind: 'refused', task: t };
  if (!ownsClaim(t, r.attemptToken, r.workerId)) return classifyRejected(t, r);
  const done: TaskRecord = {
    ...t,
    status: r.status,
    outputData: r.outputData,
    reasonForIncompletion: r.reasonForIncompletion,
    logs: r.logs.length ? [...t.logs, ...r.logs] : t.logs,
    endTime: r.now,
    updateTime: r.now,
    leaseUntil: 0,
    wakeAt: 0,
    applied: false,
  };
  return { kind: 'applied', task: done };
}

export function progressAttempt(db: Database.Database, rows: Rows, r: ProgressReport): ReportOutcome {
  return db.transaction((): ReportOutcome => {
    const t = rows.getTask(r.taskId);
    if (!t) return { kind: 'not_found' };
    // An engine-held task has no lease to extend nor queue to return to: only a terminal report fits it.
    if (r.refuseTaskTypes?.includes(t.taskType)) return { kind: 'refused', task: t };
    if (!t.queued || !ownsClaim(t, r.attemptToken, r.workerId)) return { kind: 'stale', task: t };
    const base = {
      ...t,
      // Like Conductor, a progress report's outputData replaces the attempt's (when it sends any).
      outputData: Object.keys(r.outputData).length ? r.outputData : t.outputData,
      logs: r.logs.length ? [...t.logs, ...r.logs] : t.logs,
      updateTime: r.now,
    };
    const next: TaskRecord =
      r.callbackAfterMs > 0
        ? {
            ...base,
            status: TaskStatus.SCHEDULED,
            visibleAt: r.now + r.callbackAfterMs,
            rank: rankOf(r.now + r.callbackAfterMs, t.workflowPriority),
            callbackAfterSeconds: Math.round(r.callbackAfterMs / 1000),
            leaseUntil: 0,
            attemptToken: null,
            pollDeadlineAt: r.pollDeadlineAt ?? 0,
          }
        : { ...base, leaseUntil: r.now + r.leaseMs };
    rows.putTask(next);
    return { kind: 'applied', task: next };
  })();
}
