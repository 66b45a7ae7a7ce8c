import type { TaskDef } from '../api/types';

/** Conductor's 32-bit seconds: the engine clamps a delay there (docs/policies.md, "Retries"). */
const MAX_DELAY_S = 2 ** 31 - 1;

/**
 * The delays before retries 1..n under a policy, in seconds, as docs/policies.md gives them:
 * FIXED d; LINEAR_BACKOFF d × factor × (k + 1); EXPONENTIAL_BACKOFF d × 2^k; then the cap
 * (maxRetryDelaySeconds, 0: none); the jitter adds [0, backoffJitterMs) on top.
 */
export function retryDelays(
  p: Pick<TaskDef, 'retryCount' | 'retryLogic' | 'retryDelaySeconds' | 'backoffScaleFactor' | 'maxRetryDelaySeconds'>,
  shown = 8,
): number[] {
  const out: number[] = [];
  for (let k = 0; k < Math.min(p.retryCount, shown); k++) {
    let d =
      p.retryLogic === 'LINEAR_BACKOFF'
        ? p.retryDelaySeconds * p.backoffScaleFactor * (k + 1)
        : p.retryLogic === 'EXPONENTIAL_BACKOFF'
          ? p.retryDelaySeconds * 2 ** k
          : p.retryDelaySeconds;
    if (p.maxRetryDelaySeconds > 0) d = Math.min(d, p.maxRetryDelaySeconds);
    out.push(Math.min(d, MAX_DELAY_S));
  }
  return out;
}

/** When a change to each policy field reaches running workflows (docs/policies.md, "Changing policies at runtime"). */
export const takesEffect: Partial<Record<keyof TaskDef, string>> = {
  retryCount: 'at the next retry decision of every running workflow',
  retryLogic: 'at the next retry decision of every running workflow',
  retryDelaySeconds: 'at the next retry decision of every running workflow',
  backoffScaleFactor: 'at the next retry decision of every running workflow',
  maxRetryDelaySeconds: 'at the next retry decision of every running workflow',
  backoffJitterMs: 'at the next retry decision of every running workflow',
  pollTimeoutSeconds: 'for attempts scheduled from now on',
  totalTimeoutSeconds: 'for attempts scheduled from now on',
  timeoutPolicy: 'for attempts scheduled from now on',
  responseTimeoutSeconds: 'at the next claim or lease extension',
  timeoutSeconds: 'for attempts claimed from now on',
  concurrentExecLimit: 'at the next poll',
  rateLimitPerFrequency: 'at the next poll',
  rateLimitFrequencyInSeconds: 'at the next poll',
};

/** Fields whose values differ between two versions of a definition, in a stable order. */
export function changedFields(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): Array<{ field: string; before: unknown; after: unknown }> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const skip = new Set(['createTime', 'updateTime', 'createdBy', 'updatedBy']);
  return [...keys]
    .filter((k) => !skip.has(k) && JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .sort()
    .map((field) => ({ field, before: before?.[field], after: after?.[field] }));
}

/** A field's value in a change list. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
