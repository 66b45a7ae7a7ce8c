import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { isSuccessfulTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { listKey, type StepList } from '../positions';
import type { Container } from '.';
import { completeNow, failNow, own, settled } from './shared';

/**
 * SWITCH: picks one list of steps by a value and runs it in order. `evaluatorType` says how the
 * value is found: `value-param` reads the input parameter named by `expression`; `javascript`
 * and `graaljs` run `expression` as a script over `$`, the step's resolved inputParameters.
 * The case is chosen once, when the step is first reached, and kept (output `evaluationResult:
 * [case]`, `selectedCase`; `extra.caseList` for the flow), so later decisions follow the same
 * branch. As in Conductor, the value is compared as text, and `defaultCase` runs only when no
 * case has that name (a case with an empty list runs nothing). The SWITCH step is COMPLETED at
 * once, as in Conductor; the flow goes on after it when its case's list ends (`caseDone`).
 */
export function evaluateSwitch(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return caseOutcome(wt, ctx);
  const input = ctx.resolve(wt.inputParameters);
  const value = switchValue(wt, input, ctx);
  if (value.ok === 'later') return ctx.yieldTo(`from:${wt.taskReferenceName}`);
  if (!value.ok) return failNow(wt, ctx, value.error, { input, terminal: true });
  const caseValue = caseText(value.value);
  const list = caseList(wt, caseValue, false);
  completeNow(
    wt,
    ctx,
    { evaluationResult: [caseValue], selectedCase: caseValue },
    { input: { ...input, case: caseValue }, extra: { caseList: list.key } },
  );
  return switchContainer.listEnded(wt, list, ctx.walk(list, 0), ctx);
}

export const switchContainer: Container = {
  listEnded(wt, _list, result, ctx) {
    if (result.kind !== 'done') return result;
    ctx.setExtra(wt.taskReferenceName, { caseDone: true });
    return DONE;
  },
};

/** A SWITCH or DECISION reached again: on once its case's list ended, else waiting for it. */
export function caseOutcome(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (!step || !isSuccessfulTask(step.status)) return step ? settled(wt, step) : BLOCKED;
  return step.extra?.caseDone === true ? DONE : BLOCKED;
}

/**
 * The list a case value selects. SWITCH runs `defaultCase` only when no case has the name;
 * DECISION (`emptyFallsBack`) also when the named case's list is empty.
 */
export function caseList(wt: WorkflowTask, caseValue: string, emptyFallsBack: boolean): StepList {
  const ref = wt.taskReferenceName;
  const tasks = own(wt.decisionCases, caseValue);
  if (tasks && (tasks.length > 0 || !emptyFallsBack)) return { key: listKey.case(ref, caseValue), tasks, owner: ref };
  return { key: listKey.defaultCase(ref), tasks: wt.defaultCase ?? [], owner: ref };
}

function switchValue(
  wt: WorkflowTask,
  input: JsonObject,
  ctx: DecideContext,
): { ok: true; value: unknown } | { ok: false; error: string } | { ok: 'later' } {
  const expression = wt.expression ?? '';
  switch (wt.evaluatorType) {
    case 'value-param':
      return { ok: true, value: own(input, expression) };
    case 'javascript':
    case 'graaljs': {
      const r = ctx.script(expression, { $: input });
      return r.ok === false ? { ok: false, error: `SWITCH expression failed: ${r.error}` } : r;
    }
    default:
      return { ok: false, error: `no evaluator registered for type: ${String(wt.evaluatorType)}` };
  }
}

/** A case value as Conductor compares it: text, with null and missing values as "null". */
export function caseText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
