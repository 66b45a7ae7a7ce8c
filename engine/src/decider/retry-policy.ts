import type { TaskDef } from '@baton/definitions';
import { unitHash } from '../domain/ids';

export interface RetryPolicy {
  retryCount: number;
  retryLogic: 'FIXED' | 'EXPONENTIAL_BACKOFF' | 'LINEAR_BACKOFF';
  retryDelaySeconds: number;
  backoffScaleFactor: number;
  maxRetryDelaySeconds: number;
  backoffJitterMs: number;
}

/** Conductor's defaults for a task that has no registered definition. */
export const defaultRetryPolicy: RetryPolicy = {
  retryCount: 3,
  retryLogic: 'FIXED',
  retryDelaySeconds: 60,
  backoffScaleFactor: 1,
  maxRetryDelaySeconds: 0,
  backoffJitterMs: 0,
};

export function retryPolicyOf(def: TaskDef | undefined, retryCountOverride: number | undefined): RetryPolicy {
  const p: RetryPolicy = {
    retryCount: def?.retryCount ?? defaultRetryPolicy.retryCount,
    retryLogic: (def?.retryLogic as RetryPolicy['retryLogic'] | undefined) ?? defaultRetryPolicy.retryLogic,
    retryDelaySeconds: def?.retryDelaySeconds ?? defaultRetryPolicy.retryDelaySeconds,
    backoffScaleFactor: def?.backoffScaleFactor ?? defaultRetryPolicy.backoffScaleFactor,
    maxRetryDelaySeconds: def?.maxRetryDelaySeconds ?? defaultRetryPolicy.maxRetryDelaySeconds,
    backoffJitterMs: def?.backoffJitterMs ?? defaultRetryPolicy.backoffJitterMs,
  };
  if (retryCountOverride !== undefined) p.retryCount = retryCountOverride;
  return p;
}

/**
 * Delay before attempt `failedRetryCount + 1`, in ms. The jitter is derived from the failed
 * attempt's id, so the decider stays deterministic while concurrent retries still spread out.
 *   FIXED:               retryDelaySeconds
 *   LINEAR_BACKOFF:      retryDelaySeconds * backoffScaleFactor * (n + 1)
 *   EXPONENTIAL_BACKOFF: retryDelaySeconds * backoffScaleFactor * 2^n
 * where n is the retryCount of the attempt that failed (0 for the first), capped by
 * maxRetryDelaySeconds (when > 0), plus jitter in [0, backoffJitterMs).
 */
export function retryDelayMs(policy: RetryPolicy, failedRetryCount: number, failedTaskId: string): number {
  const base = policy.retryDelaySeconds * 1000;
  let delay: number;
  switch (policy.retryLogic) {
    case 'LINEAR_BACKOFF':
      delay = base * policy.backoffScaleFactor * (failedRetryCount + 1);
      break;
    case 'EXPONENTIAL_BACKOFF':
      delay = base * policy.backoffScaleFactor * 2 ** failedRetryCount;
      break;
    default:
      delay = base;
  }
  if (policy.maxRetryDelaySeconds > 0) delay = Math.min(delay, policy.maxRetryDelaySeconds * 1000);
  if (policy.backoffJitterMs > 0) delay += Math.floor(unitHash(failedTaskId) * policy.backoffJitterMs);
  return delay;
}
