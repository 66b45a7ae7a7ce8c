import { validateWorkflowDef, type WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { isSuccessfulTask } from '../../domain/status';
import type { DecideContext } from '../context';
import { listKey, nestedListsOf, PositionIndex } from '../positions';
import { isObject } from './shared';

/** The steps a FORK_JOIN_DYNAMIC forked: one list of one step per branch, indexed like a definition. */
export interface ForkedSteps {
  tasks: readonly WorkflowTask[];
  refs: readonly string[];
  refSet: ReadonlySet<string>;
  index: PositionIndex;
}

/**
 * The steps a started dynamic fork forked. They are not in the definition: they are derived from
 * the fork's input, which its FORK task record keeps, so the workflow record holds nothing but
 * the branches' step states. Derived once per fork attempt and cached (DecideContext.memo);
 * undefined before the fork started, after it failed, or while its input is not loaded (the
 * decision then asks for it).
 */
export function forkedStepsOf(ctx: DecideContext, forkRef: string): ForkedSteps | undefined {
  const step = ctx.step(forkRef);
  if (!step || !isSuccessfulTask(step.status)) return undefined;
  const key = `forked:${step.taskId}`;
  const cached = ctx.memo.get(key) as ForkedSteps | undefined;
  if (cached) return cached;
  const wt = ctx.index.position(forkRef)?.wt;
  const input = ctx.inputOf(forkRef);
  if (!wt || ctx.needs.payloads.has(step.taskId)) return undefined;
  const built = buildForkedSteps(wt, input, ctx, false);
  if (!built.ok) return undefined;
  ctx.memo.set(key, built.steps);
  return built.steps;
}

export function rememberForkedSteps(ctx: DecideContext, forkTaskId: string, steps: ForkedSteps): void {
  ctx.memo.set(`forked:${forkTaskId}`, steps);
}

type Built = { ok: true; steps: ForkedSteps } | { ok: false; error: string };

/**
 * Builds the forked steps from the fork's resolved input. When `creating`, the fork's limits and
 * its reference names are checked too (a clash with an existing step fails the fork).
 */
export function buildForkedSteps(wt: WorkflowTask, input: JsonObject, ctx: DecideContext, creating: boolean): Built {
  const raw =
    Array.isArray(input.forkTaskInputs) &&
    (input.forkTaskName !== undefined || input.forkTaskType !== undefined || input.forkTaskWorkflow !== undefined)
      ? fromItems(wt, input, ctx)
      : fromTaskList(wt, input);
  if (!raw.ok) return raw;
  const max = ctx.limits.maxForkBranches;
  if (creating && raw.tasks.length > max) {
    return {
      ok: false,
      error: `dynamic fork '${wt.taskReferenceName}' would fork ${raw.tasks.length} branches, over the limit of ${max} (BATON_MAX_FORK_BRANCHES)`,
    };
  }
  let tasks: WorkflowTask[] = [];
  if (raw.tasks.length > 0) {
    // The forked steps are validated like a definition's, which also fills in their defaults;
    // their expressions may name any step of the workflow.
    const taken = new Set<string>([...ctx.index.refs(), ...Object.keys(ctx.workflow.state.steps), ...ctx.changes.keys()]);
    const v = validateWorkflowDef({ name: `${wt.taskReferenceName}_forked`, tasks: raw.tasks }, { knownRoots: [...taken] });
    if (!v.ok) {
      const problems = v.problems.map((p) => `${p.pointer.replace(/^\/tasks/, '')} ${p.message}`).join('; ');
      return { ok: false, error: `dynamic fork '${wt.taskReferenceName}' got invalid tasks: ${problems}` };
    }
    tasks = v.value.tasks;
    if (creating) {
      const clash = refsIn(tasks).find((r) => taken.has(r));
      if (clash)
        return { ok: false, error: `dynamic fork '${wt.taskReferenceName}' attempted to create a duplicate task reference name: ${clash}` };
    }
  }
  const fork = wt.taskReferenceName;
  const index = new PositionIndex(
    tasks.map((t, k) => ({ key: listKey.forked(fork, k), tasks: [t], owner: fork })),
    ctx.index.loopOf(fork) ?? null,
  );
  const refs = tasks.map((t) => t.taskReferenceName);
  const pos = ctx.index.position(fork);
  const join = pos?.list.tasks[pos.index + 1];
  if (join?.type === 'JOIN') index.watch(join.taskReferenceName, refs);
  return { ok: true, steps: { tasks, refs, refSet: new Set(refs), index } };
}

function refsIn(tasks: readonly WorkflowTask[], out: string[] = []): string[] {
  for (const t of tasks) {
    out.push(t.taskReferenceName);
    for (const list of nestedListsOf(t)) refsIn(list.tasks, out);
  }
  return out;
}

function fromTaskList(wt: WorkflowTask, input: JsonObject): { ok: true; tasks: unknown[] } | { ok: false; error: string } {
  const param = wt.dynamicForkTasksParam ?? '';
  const list = input[param];
  if (!Array.isArray(list) || !list.every(isObject)) {
    return {
      ok: false,
      error: `input '${param}' of dynamic fork '${wt.taskReferenceName}' must be a list of workflow tasks, got ${JSON.stringify(list ?? null)}`,
    };
  }
  const inputsParam = wt.dynamicForkTasksInputParamName;
  const inputs = inputsParam === undefined ? {} : input[inputsParam];
  if (!isObject(inputs)) {
    return {
      ok: false,
      error: `input '${inputsParam ?? ''}' of dynamic fork '${wt.taskReferenceName}' must be a map of reference name to input, got ${JSON.stringify(inputs ?? null)}`,
    };
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
  const name =
    subWorkflow ?? (typeof input.forkTaskName === 'string' ? input.forkTaskName : type !== 'SIMPLE' ? type : wt.taskReferenceName);
  const version = Number.parseInt(String(input.forkTaskWorkflowVersion ?? ''), 10);
  // Conductor prefixes the fork's own name when a workflow has more than one dynamic fork.
  const prefix = ctx.index.dynamicForks.length > 1 ? `_${wt.taskReferenceName}_${name}_` : `_${name}_`;
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
