import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { isSuccessfulTask } from '../../domain/status';
import type { DecideContext, StepResult } from '../context';
import { completeNow, failNow, own, settled } from './shared';
import { caseText } from './switch';

/**
 * DECISION, Conductor's older SWITCH: the case is the input parameter named by `caseValueParam`,
 * or the value of the script `caseExpression` over `$` (the resolved inputParameters). Its
 * output is `caseOutput: [case]`. Unlike SWITCH, a case with an empty list also falls back to
 * `defaultCase`, as Conductor's DECISION does.
 */
export function evaluateDecision(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) {
    if (!isSuccessfulTask(step.status)) return settled(wt, step);
    const chosen = Array.isArray(step.output.caseOutput) ? step.output.caseOutput[0] : undefined;
    return ctx.walk(branchFor(wt, caseText(chosen)));
  }
  const input = ctx.resolve(wt.inputParameters);
  const value = decisionValue(wt, input, ctx);
  if (!value.ok) return failNow(wt, ctx, value.error, { input, terminal: true });
  const caseValue = caseText(value.value);
  completeNow(wt, ctx, { caseOutput: [caseValue] }, { input: { ...input, case: caseValue } });
  return ctx.walk(branchFor(wt, caseValue));
}

function branchFor(wt: WorkflowTask, caseValue: string): readonly WorkflowTask[] {
  const tasks = own(wt.decisionCases, caseValue);
  return tasks && tasks.length > 0 ? tasks : (wt.defaultCase ?? []);
}

function decisionValue(wt: WorkflowTask, input: JsonObject, ctx: DecideContext): { ok: true; value: unknown } | { ok: false; error: string } {
  const script = wt.caseExpression?.trim();
  if (!script) return { ok: true, value: own(input, wt.caseValueParam ?? '') };
  const r = ctx.scripts.evaluate(script, { $: input }, { now: ctx.now });
  return r.ok ? r : { ok: false, error: `DECISION caseExpression failed: ${r.error}` };
}
