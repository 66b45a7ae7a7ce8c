import type { Response } from 'express';
import { StaleAttemptError } from '../errors';
import type { Engine, TaskResultInput } from '../runtime/engine';

/**
 * Reports of an attempt that is over (its lease lapsed, it was superseded or completed by an
 * operator) change nothing, always: that is the fence. How they are answered depends on who sends
 * them. Baton's SDK echoes the attempt token and understands 409. Conductor's SDKs send no token
 * but a workerId, and treat any non-2xx answer as a transport failure: the Python and JS SDKs retry
 * the report 3 more times, 10, 20 and 30 s apart, holding the worker's slot for a minute, then log
 * the result as lost (the Java client likewise retries). Conductor itself answers 200 and ignores
 * such a report, so these clients get that answer, with `X-Baton-Report: ignored-stale` and a
 * warning in the log, and their worker moves on at once.
 */
export async function reportOrIgnoreStale(engine: Engine, result: TaskResultInput, res: Response): Promise<void> {
  try {
    await engine.report(result);
  } catch (err) {
    if (!(err instanceof StaleAttemptError) || result.attemptToken !== null || result.workerId === null) throw err;
    engine.log.warn(
      { taskId: result.taskId, workerId: result.workerId, status: result.status },
      `${err.message}; ignored (answered 200, as Conductor does)`,
    );
    res.setHeader('X-Baton-Report', 'ignored-stale');
  }
}
