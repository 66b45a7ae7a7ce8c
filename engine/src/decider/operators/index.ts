import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import type { StepList } from '../positions';
import { controlFlowOperators, containers } from './control-flow';
import { systemTaskOperators } from './system-tasks';
import { evaluateWorkerTask } from './worker-task';

/**
 * Evaluates a step at its place in the flow: schedules it the first time it is reached, and
 * later, when its latest attempt changed, says what follows (retry, give up, go on). It returns
 * how the step stands: done (the walk goes on after it), blocked, failed or terminating.
 */
export type Evaluate = (wt: WorkflowTask, ctx: DecideContext) => StepResult;

/** A step that holds lists of steps (SWITCH cases, FORK branches, a DO_WHILE body). */
export interface Container {
  /** One of the step's lists was walked to its end (done), or failed or terminated on the way. */
  listEnded(wt: WorkflowTask, list: StepList, result: StepResult, ctx: DecideContext): StepResult;
  /** Continues what the step left for a later decision (`op:` events, flow.ts). */
  resume?(wt: WorkflowTask, ctx: DecideContext): StepResult;
}

/** One evaluator per task type. Each lives in its own file with its own table tests. */
const evaluators: Record<string, Evaluate> = {
  SIMPLE: (wt, ctx) => evaluateWorkerTask(wt, ctx),
  ...controlFlowOperators,
  ...systemTaskOperators,
};

const unsupported: Evaluate = (wt) => ({ kind: 'failed', ref: wt.taskReferenceName, reason: `task type ${wt.type} is not supported` });

export function evaluatorOf(wt: WorkflowTask): Evaluate {
  return evaluators[wt.type ?? 'SIMPLE'] ?? unsupported;
}

export function containerOf(wt: WorkflowTask): Container | undefined {
  return containers[wt.type ?? 'SIMPLE'];
}

export const isSupportedType = (type: string | undefined): boolean => evaluators[type ?? 'SIMPLE'] !== undefined;
