import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { controlFlowOperators } from './control-flow';
import { systemTaskOperators } from './system-tasks';
import { evaluateWorkerTask } from './worker-task';

/** One evaluator per task type. Each lives in its own file with its own table tests. */
export type Operator = (wt: WorkflowTask, ctx: DecideContext) => StepResult;

const operators: Record<string, Operator> = {
  SIMPLE: (wt, ctx) => evaluateWorkerTask(wt, ctx),
  ...controlFlowOperators,
  ...systemTaskOperators,
};

export function operatorFor(type: string | undefined): Operator | undefined {
  return operators[type ?? 'SIMPLE'];
}
