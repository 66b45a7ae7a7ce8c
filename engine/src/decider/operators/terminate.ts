import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import type { DecideContext, StepResult } from '../context';
import { completeNow, failNow, isObject } from './shared';

const statuses = ['COMPLETED', 'FAILED', 'TERMINATED'] as const;
type TerminationStatus = (typeof statuses)[number];

/**
 * TERMINATE: ends the workflow with `terminationStatus` (COMPLETED, FAILED or TERMINATED) and
 * `terminationReason`, cancelling whatever else is running (other fork branches). Its output,
 * and the workflow's, is `workflowOutput` (a non-object value is wrapped as `{ output }`); when
 * it gives none, the workflow's outputParameters apply as usual.
 */
export function evaluateTerminate(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const input = ctx.resolve(wt.inputParameters);
  const status = input.terminationStatus;
  if (!statuses.includes(status as TerminationStatus)) {
    return failNow(
      wt,
      ctx,
      `given termination status is not valid: ${JSON.stringify(status ?? null)} (expected COMPLETED, FAILED or TERMINATED)`,
      { input, terminal: true },
    );
  }
  const given = input.workflowOutput;
  const output: JsonObject = given === undefined || given === null ? {} : isObject(given) ? given : { output: given };
  // Reached again only if an earlier decision ended before committing: record it once.
  if (!ctx.step(wt.taskReferenceName)) completeNow(wt, ctx, output, { input });
  const reason = input.terminationReason;
  return {
    kind: 'terminate',
    status: status as TerminationStatus,
    reason: reason === undefined || reason === null ? null : String(reason),
    output: given === undefined || given === null ? null : output,
  };
}
