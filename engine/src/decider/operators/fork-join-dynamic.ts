import type { WorkflowTask } from '@baton/definitions';
import { TaskStatus, isSuccessfulTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { listKey, type StepList } from '../positions';
import type { Container } from '.';
import { forkContainer, joinAfter, joinProblem } from './fork-join';
import { buildForkedSteps, forkedStepsOf, rememberForkedSteps } from './forked-steps';
import { completeNow, failNow, giveUp, holdOpen, settled } from './shared';

/**
 * FORK_JOIN_DYNAMIC: forks steps that are only known at run time, one branch per step.
 * Two of Conductor's forms are understood:
 * - `dynamicForkTasksParam` names the input parameter holding the list of WorkflowTasks, and
 *   `dynamicForkTasksInputParamName` the one holding a map from their reference names to their
 *   inputs (merged over each step's own inputParameters);
 * - `forkTaskName` (or `forkTaskWorkflow`) with a list `forkTaskInputs` in the input: one step
 *   per item, named `_<name>_<index>`, with the item (or `{input: item}`) and `__index` as input.
 * The forked steps are derived from the fork's input, kept by its FORK task (forked-steps.ts).
 * The fork creates the JOIN that follows it, joining on all forked steps, then starts the
 * branches, as many as the decision's budget allows (`extra.started`); the rest start in the
 * next decisions (`op:` events), so a 10,000-branch fork never holds the engine for long. The
 * flow goes on to the JOIN once every branch has started.
 */
export function evaluateForkJoinDynamic(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (step) return isSuccessfulTask(step.status) ? (step.extra?.started === step.extra?.branches ? DONE : BLOCKED) : settled(wt, step);

  const input = ctx.resolve(wt.inputParameters);
  if (ctx.incomplete) return BLOCKED;
  const fail = (reason: string): StepResult => failNow(wt, ctx, reason, { input, terminal: true, taskType: 'FORK' });
  const join = joinAfter(wt, ctx);
  if (!join) return fail(joinProblem(wt, ctx) as string);
  const built = buildForkedSteps(wt, input, ctx, true);
  if (!built.ok) return fail(built.error);

  const refs = built.steps.refs;
  const fork = completeNow(
    wt,
    ctx,
    {},
    { input: { ...input, forkedTasks: [...refs] }, taskType: 'FORK', extra: { branches: refs.length, started: 0 } },
  );
  if (fork.status !== TaskStatus.COMPLETED) return giveUp(wt, ctx, fork);
  rememberForkedSteps(ctx, fork.taskId, built.steps);
  if (!ctx.step(join.taskReferenceName)) {
    holdOpen(join, ctx, { ...ctx.resolve(join.inputParameters), joinOn: [...refs] }, {}, { extra: { waiting: refs.length } });
  }
  return startBranches(wt, ctx);
}

/** Starts the branches not started yet, while the decision's budget lasts. */
function startBranches(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const forked = forkedStepsOf(ctx, ref);
  const step = ctx.step(ref);
  if (!forked || !step) return BLOCKED;
  const first = typeof step.extra?.started === 'number' ? step.extra.started : 0;
  let k = first;
  let result: StepResult = DONE;
  for (; k < forked.tasks.length; k++) {
    if (ctx.stepsLeft <= 0) {
      result = ctx.yieldTo(`op:${ref}`);
      break;
    }
    const list = forked.index.list(listKey.forked(ref, k)) as StepList;
    const r = forkContainer.listEnded(wt, list, ctx.walk(list, 0), ctx);
    if (r.kind === 'failed' || r.kind === 'terminate') {
      k++;
      result = r;
      break;
    }
  }
  if (k !== first) ctx.setExtra(ref, { started: k });
  return result;
}

export const dynamicForkContainer: Container = {
  listEnded: forkContainer.listEnded,
  resume: (wt, ctx) => startBranches(wt, ctx),
};
