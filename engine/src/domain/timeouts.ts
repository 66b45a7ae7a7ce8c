import type { TaskTimeoutPolicy } from '@baton/definitions';

/**
 * The four limits on a task attempt, named after the task definition fields that set them. Each
 * has its own deadline on the task record, computed when its clock starts, and the sweeper finds
 * due deadlines through an index (docs/policies.md has the timeline).
 */
export const TimeoutKind = {
  /** Scheduled but not claimed in time (no worker polling). */
  POLL: 'pollTimeoutSeconds',
  /** Claimed, but the worker went silent: its lease lapsed. */
  RESPONSE: 'responseTimeoutSeconds',
  /** One attempt ran too long since it was first claimed, lease extensions or not. */
  ATTEMPT: 'timeoutSeconds',
  /** The step's attempts together, retry delays included, ran too long. */
  TOTAL: 'totalTimeoutSeconds',
} as const;
export type TimeoutKind = (typeof TimeoutKind)[keyof typeof TimeoutKind];

/** An ALERT_ONLY timeout recorded on an attempt that went on running. */
export interface TimeoutAlert {
  kind: TimeoutKind;
  at: number;
}

/** What a TIMED_OUT attempt carries for the decider: which limit, under which policy. */
export interface TimeoutCause {
  by: TimeoutKind;
  policy: TaskTimeoutPolicy;
}

/** The earlier of two deadlines where 0 means "none". */
export function earliest(a: number, b: number): number {
  if (a <= 0) return Math.max(0, b);
  if (b <= 0) return a;
  return Math.min(a, b);
}
