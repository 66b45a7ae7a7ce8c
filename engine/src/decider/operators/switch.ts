import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { isSuccessfulTask } from '../../domain/status';
import type { DecideContext, StepResult } from '../context';
import { completeNow, failNow, own, settled } from './shared';

/**
 * SWITCH: picks one list of steps by a value and runs it in order. `evaluatorType` says how the
 * value is found: `value-param` reads the input parameter named by `expression`; `javascript`
 * and `graaljs` run `expression` as a script over `$`, the step's resolved inputParameters.
 * The case is chosen once, when the step is first reached, and kept in its output
 * (`evaluationResult: [case]`, `selectedCase`), so later decisions follow the same branch.
 * As in Conductor, the value is compared as text, and `defaultCase` runs only when no case has
 * that name (a case with an empty list runs nothing).
 */
export function evaluateSwitch(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) {
    if (!isSuccessfulTask(step.status)) return settled(wt, step);
    return ctx.walk(branchFor(wt, String(step.output.selectedCase)));
  }
  const input = ctx.resolve(wt.inputParameters);
  const value = switchValue(wt, input, ctx);
  if (!value.ok) return failNow(wt, ctx, value.error, { input, terminal: true });
  const caseValue = caseText(value.value);
  completeNow(wt, ctx, { evaluationResult: [caseValue], selectedCase: caseValue }, { input: { ...input, case: caseValue } });
  return ctx.walk(branchFor(wt, caseValue));
}

function branchFor(wt: WorkflowTask, caseValue: string): readonly WorkflowTask[] {
  return own(wt.decisionCases, caseValue) ?? wt.defaultCase ?? [];
}

function switchValue(wt: WorkflowTask, input: JsonObject, ctx: DecideContext): { ok: true; value: unknown } | { ok: false; error: string } {
  const expression = wt.expression ?? '';
  switch (wt.evaluatorType) {
    case 'value-param':
      return { ok: true, value: own(input, expression) };
    case 'javascript':
    case 'graaljs': {
      const r = ctx.scripts.evaluate(expression, { $: input }, { now: ctx.now });
      return r.ok ? r : { ok: false, error: `SWITCH expression failed: ${r.error}` };
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
