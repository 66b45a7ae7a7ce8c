import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { completed, failNow, settled } from './shared';

/** Conductor's default limit on the size of a workflow's variables (maxWorkflowVariablesPayloadSizeThreshold). */
export const MAX_VARIABLES_BYTES = 256 * 1024;

/**
 * SET_VARIABLE: each resolved input parameter becomes a workflow variable
 * (`${workflow.variables.<name>}`), replacing an earlier value. Variables live in the workflow
 * record that every decision reads and writes, so their total size is capped as in Conductor;
 * a change that would exceed the cap is not applied and fails the task.
 */
export function evaluateSetVariable(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return settled(wt, step);
  const input = ctx.resolve(wt.inputParameters);
  const next = { ...ctx.variables, ...input };
  const size = Buffer.byteLength(JSON.stringify(next));
  if (size > MAX_VARIABLES_BYTES) {
    const reason = `the variables payload size ${size} bytes of workflow ${ctx.workflow.workflowId} is greater than the permissible limit of ${MAX_VARIABLES_BYTES / 1024} kilobytes`;
    return failNow(wt, ctx, reason, { input, terminal: true });
  }
  ctx.setVariables(next);
  return completed(wt, ctx, {}, { input });
}
