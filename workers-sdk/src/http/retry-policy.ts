import { HttpError, NetworkError, RequestTimeoutError } from '../errors';

/** How far a request may be resent after a transient failure. */
export const RetryMode = {
  /** Never resent (a long poll: a lost answer means claimed tasks, the lease recovers them). */
  NEVER: 'never',
  /** Safe to resend whatever happened (GET, PUT, DELETE, task reports: the server dedupes per attempt). */
  IDEMPOTENT: 'idempotent',
  /**
   * Resent only when the server surely did nothing: the connection was never made, or it refused
   * up front (429, 503). Used for requests that would act twice, such as starting a workflow.
   */
  IF_NOT_PROCESSED: 'if-not-processed',
} as const;
export type RetryMode = (typeof RetryMode)[keyof typeof RetryMode];

export function isRetryable(error: unknown, mode: RetryMode): boolean {
  if (mode === RetryMode.NEVER) return false;
  const idempotent = mode === RetryMode.IDEMPOTENT;
  if (error instanceof HttpError) {
    return error.retryable && (idempotent || error.status === 429 || error.status === 503);
  }
  if (error instanceof NetworkError) return idempotent || !error.requestMayHaveBeenSent;
  // A timed-out request may have been applied after all.
  if (error instanceof RequestTimeoutError) return idempotent;
  return false;
}
