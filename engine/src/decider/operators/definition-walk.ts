import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext } from '../context';
import { isObject } from './shared';

/** The lists of steps nested directly in a step: SWITCH cases, FORK branches, a DO_WHILE body. */
export function nestedLists(wt: WorkflowTask): WorkflowTask[][] {
  const lists: WorkflowTask[][] = [];
  if (wt.decisionCases) lists.push(...Object.values(wt.decisionCases));
  if (wt.defaultCase) lists.push(wt.defaultCase);
  if (wt.forkTasks) lists.push(...wt.forkTasks);
  if (wt.loopOver) lists.push(wt.loopOver);
  return lists;
}

/** The steps a dynamic fork started, as recorded in its state (they are not in the definition). */
export function forkedTaskDefs(ctx: DecideContext, ref: string): WorkflowTask[] {
  const defs = ctx.step(ref)?.extra?.forkedTaskDefs;
  return Array.isArray(defs) ? (defs.filter(isObject) as unknown as WorkflowTask[]) : [];
}

/**
 * Reference names of every step nested in `tasks`, at any depth, dynamically forked steps
 * included: what a DO_WHILE iteration consists of. Cost follows the definition, not history.
 */
export function refsWithin(tasks: readonly WorkflowTask[], ctx: DecideContext, out: string[] = []): string[] {
  for (const wt of tasks) {
    out.push(wt.taskReferenceName);
    for (const list of nestedLists(wt)) refsWithin(list, ctx, out);
    if (wt.type === 'FORK_JOIN_DYNAMIC') refsWithin(forkedTaskDefs(ctx, wt.taskReferenceName), ctx, out);
  }
  return out;
}

/** The step that follows `ref` in the list holding it (a FORK's JOIN), or null. */
export function nextInDefinition(tasks: readonly WorkflowTask[], ref: string): WorkflowTask | null | undefined {
  for (let i = 0; i < tasks.length; i++) {
    const wt = tasks[i] as WorkflowTask;
    if (wt.taskReferenceName === ref) return tasks[i + 1] ?? null;
    for (const list of nestedLists(wt)) {
      const found = nextInDefinition(list, ref);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
