import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { withSystemRetryDefault } from './shared';
import { evaluateWorkerTask } from './worker-task';

/** The internal queue the engine's own HTTP runner claims from (runtime/system-tasks/http-runner.ts). */
export const HTTP_QUEUE = 'HTTP';

/**
 * HTTP: a queued task on the engine's internal HTTP queue, claimed and run by the engine itself
 * with the same claim/report path as a worker, so leases, fencing, timeouts and retries apply as
 * for any worker task. Retries follow the task definition named after the task's `name`
 * (none without one, as for every system task).
 */
export function evaluateHttp(wt: WorkflowTask, ctx: DecideContext): StepResult {
  return evaluateWorkerTask(withSystemRetryDefault(wt, ctx), ctx, HTTP_QUEUE);
}
