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

/** Conductor computes delays in 32-bit seconds and clamps an overflow to the largest; so does Baton. */
const MAX_DELAY_MS = 2_147_483_647 * 1000;

/**
 * Delay before the retry that follows a failed attempt, in ms, with Conductor's formulas, where n
 * counts the automatic retries already made (0 after the first attempt fails):
 *   FIXED:               retryDelaySeconds
 *   LINEAR_BACKOFF:      retryDelaySeconds * backoffScaleFactor * (n + 1)
 *   EXPONENTIAL_BACKOFF: retryDelaySeconds * 2^n   (backoffScaleFactor does not apply, as in Conductor)
 * then capped by maxRetryDelaySeconds (when > 0), then plus a jitter in [0, backoffJitterMs).
 * The jitter is derived from the failed attempt's id, so the decider stays deterministic while
 * retries of many attempts failing at once still spread out.
 */
export function retryDelayMs(policy: RetryPolicy, n: number, failedTaskId: string): number {
  const base = policy.retryDelaySeconds * 1000;
  let delay: number;
  switch (policy.retryLogic) {
    case 'LINEAR_BACKOFF':
      delay = base * policy.backoffScaleFactor * (n + 1);
      break;
    case 'EXPONENTIAL_BACKOFF':
      delay = base * 2 ** n;
      break;
    default:
      delay = base;
  }
  delay = Math.min(delay, MAX_DELAY_MS);
  if (policy.maxRetryDelaySeconds > 0) delay = Math.min(delay, policy.maxRetryDelaySeconds * 1000);
  if (policy.backoffJitterMs > 0) delay += Math.floor(unitHash(failedTaskId) * policy.backoffJitterMs);
  return delay;
}
