import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { completed, settled } from './shared';

/** NOOP: completes at once, doing nothing (a placeholder, or an empty SWITCH case made explicit). */
export function evaluateNoop(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return settled(wt, step);
  return completed(wt, ctx, {}, { input: ctx.resolve(wt.inputParameters) });
}
