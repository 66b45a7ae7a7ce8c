import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { failNow } from './shared';
import { evaluateWorkerTask } from './worker-task';

/**
 * DYNAMIC: a worker task whose type is chosen at run time. `dynamicTaskNameParam` names the
 * input parameter holding the task's name; the step then runs exactly like a SIMPLE task of
 * that name (its queue, its task definition's retry and timeout policy). The name is read once:
 * later decisions and retries keep the one the first attempt was scheduled with.
 */
export function evaluateDynamic(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  let name = step?.taskType;
  if (name === undefined) {
    const input = ctx.resolve(wt.inputParameters);
    const param = wt.dynamicTaskNameParam ?? '';
    const value = input[param];
    if (value === undefined || value === null || String(value).trim() === '') {
      return failNow(wt, ctx, `cannot map a dynamic task: input parameter '${param}' holds no task name`, { input, terminal: true });
    }
    name = String(value);
  }
  return evaluateWorkerTask({ ...wt, name }, ctx, name);
}
