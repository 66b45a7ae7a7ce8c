import type { WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import type { DecideContext, StepResult } from '../context';
import type { Container } from '.';
import { completeNow, failNow, own } from './shared';
import { caseList, caseOutcome, caseText, switchContainer } from './switch';

/**
 * DECISION, Conductor's older SWITCH: the case is the input parameter named by `caseValueParam`,
 * or the value of the script `caseExpression` over `$` (the resolved inputParameters). Its
 * output is `caseOutput: [case]`. Unlike SWITCH, a case with an empty list also falls back to
 * `defaultCase`, as Conductor's DECISION does.
 */
export function evaluateDecision(wt: WorkflowTask, ctx: DecideContext): StepResult {
  if (ctx.step(wt.taskReferenceName)) return caseOutcome(wt, ctx);
  const input = ctx.resolve(wt.inputParameters);
  const value = decisionValue(wt, input, ctx);
  if (value.ok === 'later') return ctx.yieldTo(`from:${wt.taskReferenceName}`);
  if (!value.ok) return failNow(wt, ctx, value.error, { input, terminal: true });
  const caseValue = caseText(value.value);
  const list = caseList(wt, caseValue, true);
  completeNow(wt, ctx, { caseOutput: [caseValue] }, { input: { ...input, case: caseValue }, extra: { caseList: list.key } });
  return decisionContainer.listEnded(wt, list, ctx.walk(list, 0), ctx);
}

export const decisionContainer: Container = switchContainer;

function decisionValue(
  wt: WorkflowTask,
  input: JsonObject,
  ctx: DecideContext,
): { ok: true; value: unknown } | { ok: false; error: string } | { ok: 'later' } {
  const script = wt.caseExpression?.trim();
  if (!script) return { ok: true, value: own(input, wt.caseValueParam ?? '') };
  const r = ctx.script(script, { $: input });
  return r.ok === false ? { ok: false, error: `DECISION caseExpression failed: ${r.error}` } : r;
}
