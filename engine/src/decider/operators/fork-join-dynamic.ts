import { validateWorkflowDef, type WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { isSuccessfulTask } from '../../domain/status';
import type { DecideContext, StepResult } from '../context';
import { forkedTaskDefs, nestedLists, nextInDefinition, refsWithin } from './definition-walk';
import { joinProblem, walkBranches } from './fork-join';
import { completeNow, failNow, holdOpen, isObject, settled } from './shared';

/**
 * FORK_JOIN_DYNAMIC: forks steps that are only known at run time, one branch per step.
 * Two of Conductor's forms are understood:
 * - `dynamicForkTasksParam` names the input parameter holding the list of WorkflowTasks, and
 *   `dynamicForkTasksInputParamName` the one holding a map from their reference names to their
 *   inputs (merged over each step's own inputParameters);
 * - `forkTaskName` (or `forkTaskWorkflow`) with a list `forkTaskInputs` in the input: one step
 *   per item, named `_<name>_<index>`, with the item (or `{input: item}`) and `__index` as input.
 * The forked steps are not in the definition, so the fork keeps them in its state
 * (`extra.forkedTaskDefs`) for later decisions; their number is bounded by the fork's input,
 * not by history. The fork also creates the JOIN that follows it, joining on all forked steps.
 */
export function evaluateForkJoinDynamic(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  if (step) return isSuccessfulTask(step.status) ? walkBranches(forkedTaskDefs(ctx, ref).map((t) => [t]), ctx) : settled(wt, step);

  const input = ctx.resolve(wt.inputParameters);
  const fail = (reason: string): StepResult => failNow(wt, ctx, reason, { input, terminal: true, taskType: 'FORK' });
  const missingJoin = joinProblem(wt, ctx);
  if (missingJoin) return fail(missingJoin);
  const forked = forkedTasks(wt, input, ctx);
  if (!forked.ok) return fail(forked.error);

  const refs = forked.tasks.map((t) => t.taskReferenceName);
  completeNow(wt, ctx, {}, { input: { ...input, forkedTasks: refs }, taskType: 'FORK', extra: { forkedTaskDefs: forked.tasks as unknown as JsonObject[] } });
  const join = nextInDefinition(ctx.workflow.definition.tasks, ref) as WorkflowTask;
  if (!ctx.step(join.taskReferenceName)) holdOpen(join, ctx, { ...ctx.resolve(join.inputParameters), joinOn: refs });
  return walkBranches(forked.tasks.map((t) => [t]), ctx);
}

type Forked = { ok: true; tasks: WorkflowTask[] } | { ok: false; error: string };

function forkedTasks(wt: WorkflowTask, input: JsonObject, ctx: DecideContext): Forked {
  const raw = Array.isArray(input.forkTaskInputs) && (input.forkTaskName !== undefined || input.forkTaskType !== undefined || input.forkTaskWorkflow !== undefined)
    ? fromItems(wt, input, ctx)
    : fromTaskList(wt, input);
  if (!raw.ok) return raw;
  if (raw.tasks.length === 0) return { ok: true, tasks: [] };

  // The forked steps are validated like a definition's, which also fills in their defaults;
  // their expressions may name any step of the workflow.
  const taken = new Set([...refsWithin(ctx.workflow.definition.tasks, ctx), ...Object.keys(ctx.state.steps)]);
  const v = validateWorkflowDef({ name: `${wt.taskReferenceName}_forked`, tasks: raw.tasks }, { knownRoots: [...taken] });
  if (!v.ok) {
    const problems = v.problems.map((p) => `${p.pointer.replace(/^\/tasks/, '')} ${p.message}`).join('; ');
    return { ok: false, error: `dynamic fork '${wt.taskReferenceName}' got invalid tasks: ${problems}` };
  }
  const clash = refsWithin(v.value.tasks, ctx).find((r) => taken.has(r));
  if (clash) return { ok: false, error: `dynamic fork '${wt.taskReferenceName}' attempted to create a duplicate task reference name: ${clash}` };
  return { ok: true, tasks: v.value.tasks };
}

function fromTaskList(wt: WorkflowTask, input: JsonObject): { ok: true; tasks: unknown[] } | { ok: false; error: string } {
  const param = wt.dynamicForkTasksParam ?? '';
  const list = input[param];
  if (!Array.isArray(list) || !list.every(isObject)) {
    return { ok: false, error: `input '${param}' of dynamic fork '${wt.taskReferenceName}' must be a list of workflow tasks, got ${JSON.stringify(list ?? null)}` };
  }
  const inputsParam = wt.dynamicForkTasksInputParamName;
  const inputs = inputsParam === undefined ? {} : input[inputsParam];
  if (!isObject(inputs)) {
    return { ok: false, error: `input '${inputsParam ?? ''}' of dynamic fork '${wt.taskReferenceName}' must be a map of reference name to input, got ${JSON.stringify(inputs ?? null)}` };
  }
  const tasks = list.map((t) => {
    const ref = typeof t.taskReferenceName === 'string' ? t.taskReferenceName : '';
    const own = isObject(t.inputParameters) ? t.inputParameters : {};
    const given = isObject(inputs[ref]) ? (inputs[ref] as JsonObject) : {};
    return { ...t, inputParameters: { ...own, ...given }, ...(wt.optional ? { optional: true } : {}) };
  });
  return { ok: true, tasks };
}

function fromItems(wt: WorkflowTask, input: JsonObject, ctx: DecideContext): { ok: true; tasks: unknown[] } {
  const items = input.forkTaskInputs as unknown[];
  const subWorkflow = typeof input.forkTaskWorkflow === 'string' ? input.forkTaskWorkflow : undefined;
  const type = subWorkflow ? 'SUB_WORKFLOW' : typeof input.forkTaskType === 'string' ? input.forkTaskType : 'SIMPLE';
  const name = subWorkflow ?? (typeof input.forkTaskName === 'string' ? input.forkTaskName : type !== 'SIMPLE' ? type : wt.taskReferenceName);
  const version = Number.parseInt(String(input.forkTaskWorkflowVersion ?? ''), 10);
  // Conductor prefixes the fork's own name when a workflow has more than one dynamic fork.
  const prefix = countDynamicForks(ctx.workflow.definition.tasks) > 1 ? `_${wt.taskReferenceName}_${name}_` : `_${name}_`;
  const tasks = items.map((item, i) => ({
    name,
    taskReferenceName: `${prefix}${i}`,
    type,
    inputParameters: { ...(isObject(item) ? item : { input: item }), __index: i },
    ...(subWorkflow ? { subWorkflowParam: { name: subWorkflow, ...(Number.isInteger(version) ? { version } : {}) } } : {}),
    ...(wt.optional ? { optional: true } : {}),
  }));
  return { ok: true, tasks };
}

function countDynamicForks(tasks: readonly WorkflowTask[]): number {
  let n = 0;
  const visit = (list: readonly WorkflowTask[]): void => {
    for (const t of list) {
      if (t.type === 'FORK_JOIN_DYNAMIC') n++;
      for (const nested of nestedLists(t)) visit(nested);
    }
  };
  visit(tasks);
  return n;
}
