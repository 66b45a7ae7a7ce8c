import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { withSystemRetryDefault } from './shared';
import { evaluateWorkerTask } from './worker-task';

/** The internal queue the engine's jq runner claims from (runtime/system-tasks/jq.ts). */
export const JQ_QUEUE = 'JSON_JQ_TRANSFORM';

/**
 * JSON_JQ_TRANSFORM: inputParameters.queryExpression (jq) applied to the other inputParameters;
 * output {result, resultList}. The jq build is async-only, so the engine runs it from an internal
 * queue like HTTP, with the worker protocol's leases and retries (none without a task definition).
 */
export function evaluateJsonJq(wt: WorkflowTask, ctx: DecideContext): StepResult {
  return evaluateWorkerTask(withSystemRetryDefault(wt, ctx), ctx, JQ_QUEUE);
}
