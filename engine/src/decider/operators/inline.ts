import type { WorkflowTask } from '@baton/definitions';
import type { DecideContext, StepResult } from '../context';
import { DONE } from '../context';
import { completeNow, failNow, settled, systemRetryCount } from './shared';

const evaluators = new Set(['javascript', 'graaljs']);

/**
 * INLINE: runs a script in the sandbox while deciding and completes with `{ result }`.
 * Conductor puts `evaluatorType` and `expression` in inputParameters (and binds the whole
 * resolved input, those two included, to `$`); the top-level fields of the same names are
 * accepted too. A script that throws, runs past its time limit or allocates past its memory
 * limit fails the task with that message as its reason and `{ error }` as its output; retries
 * (a registered task definition's retryCount; none by default, since scripts are deterministic)
 * run at once, in the same decision.
 */
export function evaluateInline(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return settled(wt, step);

  const input = ctx.resolve(wt.inputParameters);
  const evaluatorType = String(input.evaluatorType ?? wt.evaluatorType ?? 'javascript');
  const expression = input.expression ?? wt.expression;
  if (!evaluators.has(evaluatorType)) return failNow(wt, ctx, `unknown evaluator '${evaluatorType}' in INLINE task`, { input, terminal: true });
  if (typeof expression !== 'string' || expression.trim() === '') {
    return failNow(wt, ctx, "empty 'expression' in INLINE task's input parameters: a non-empty script is required", { input, terminal: true });
  }

  const retries = systemRetryCount(wt, ctx);
  for (let attempt = 0; ; attempt++) {
    const r = ctx.scripts.evaluate(expression, { $: input }, { now: ctx.now });
    if (r.ok) {
      completeNow(wt, ctx, { result: r.value }, { input, retryCount: attempt });
      return DONE;
    }
    if (attempt >= retries) return failNow(wt, ctx, r.error, { input, output: { error: r.error }, retryCount: attempt });
    ctx.schedule(wt, { status: 'FAILED', queued: false, input, output: { error: r.error }, reason: r.error, retryCount: attempt });
  }
}
