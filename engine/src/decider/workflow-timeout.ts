import type { WorkflowRecord } from '../domain/records';

/**
 * Where a workflow stands against its own timeoutSeconds. The clock runs from the start, or from
 * the last operator's retry (Conductor's lastRetriedTime), so a retried workflow gets its full
 * time again. TIME_OUT_WF ends the workflow TIMED_OUT when the time is up; ALERT_ONLY records
 * the moment once (timeoutAlertedAt: a log line and a metric from the runtime) and goes on.
 */
export type WorkflowTimeout =
  | { kind: 'none' }
  /** Not yet: decide again at `at` (the workflow's wakeAt). */
  | { kind: 'pending'; at: number }
  | { kind: 'timed_out'; seconds: number }
  /** ALERT_ONLY and the time is up now: record it. */
  | { kind: 'alert'; seconds: number };

export function workflowTimeout(wf: WorkflowRecord, now: number): WorkflowTimeout {
  const seconds = wf.definition.timeoutSeconds ?? 0;
  if (seconds <= 0) return { kind: 'none' };
  const origin = wf.lastRetriedTime || wf.startTime;
  const at = origin + seconds * 1000;
  if (wf.definition.timeoutPolicy === 'ALERT_ONLY') {
    if ((wf.timeoutAlertedAt ?? 0) >= at) return { kind: 'none' };
    return now >= at ? { kind: 'alert', seconds } : { kind: 'pending', at };
  }
  return now >= at ? { kind: 'timed_out', seconds } : { kind: 'pending', at };
}
