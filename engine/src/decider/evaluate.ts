import type { WorkflowTask } from '@baton/definitions';
import { DONE, type DecideContext, type StepResult } from './context';
import { operatorFor } from './operators';

/**
 * Walks a list of steps in order: a step that is done lets the next one be evaluated; the first
 * step that is blocked, failed or terminating stops the walk. Operators with nested lists
 * (SWITCH, FORK_JOIN, DO_WHILE) call this recursively, so cost follows the definition's size.
 */
export function evaluateList(tasks: readonly WorkflowTask[], ctx: DecideContext): StepResult {
  for (const wt of tasks) {
    const op = operatorFor(wt.type);
    if (!op) return { kind: 'failed', ref: wt.taskReferenceName, reason: `task type ${wt.type} is not supported` };
    const r = op(wt, ctx);
    if (r.kind !== 'done') return r;
  }
  return DONE;
}
