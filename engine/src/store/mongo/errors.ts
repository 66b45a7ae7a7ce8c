import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { StoreUnavailableError } from '../../errors';

/** Server error codes that mean "not now" (elections, shutdown, network), not "never". */
const transientCodes = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

export function isTransient(err: unknown): boolean {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  // A full connection pool (waitQueueTimeoutMS); its class is not exported by the driver.
  if (err instanceof Error && err.name === 'MongoWaitQueueTimeoutError') return true;
  if (err instanceof MongoError) {
    if (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool')) return true;
    return typeof err.code === 'number' && transientCodes.has(err.code);
  }
  return false;
}

/**
 * Transient database errors become StoreUnavailableError (HTTP 503, retryable: true), so clients
 * and the SDK retry; other errors pass through unchanged. Reads are retried once here first.
 */
export async function guard<T>(op: string, fn: () => Promise<T>, retrySafe: boolean): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isTransient(err)) throw err;
    if (retrySafe) {
      try {
        return await fn();
      } catch (again) {
        if (!isTransient(again)) throw again;
        throw new StoreUnavailableError(`MongoDB unavailable during ${op}: ${(again as Error).message}`, again);
      }
    }
    throw new StoreUnavailableError(`MongoDB unavailable during ${op}: ${(err as Error).message}`, err);
  }
}
