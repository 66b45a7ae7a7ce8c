import type { WorkflowTask } from '@baton/definitions';
import { TaskStatus } from '../../domain/status';
import type { DecideContext, StepResult } from '../context';
import { completed, failNow, settled, systemRetryCount } from './shared';

const evaluators = new Set(['javascript', 'graaljs']);

/**
 * INLINE: runs a script in the sandbox while deciding and completes with `{ result }`.
 * Conductor puts `evaluatorType` and `expression` in inputParameters (and binds the whole
 * resolved input, those two included, to `$`); the top-level fields of the same names are
 * accepted too. A script that throws, runs past its time limit or allocates past its memory
 * limit fails the task with that message as its reason and `{ error }` as its output; retries
 * (a registered task definition's retryCount; none by default, since scripts are deterministic)
 * run at once, as long as the decision's script budget lasts, then in the next decision.
 */
export function evaluateInline(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const ref = wt.taskReferenceName;
  const step = ctx.step(ref);
  const retries = systemRetryCount(wt, ctx);
  // A FAILED attempt with retries left is one a decision ran out of budget after: go on retrying.
  if (step && !(step.status === TaskStatus.FAILED && step.retryCount < retries)) return settled(wt, step);

  const input = step ? ctx.inputOf(ref) : ctx.resolve(wt.inputParameters);
  if (ctx.incomplete) return { kind: 'blocked' };
  const evaluatorType = String(input.evaluatorType ?? wt.evaluatorType ?? 'javascript');
  const expression = input.expression ?? wt.expression;
  if (!evaluators.has(evaluatorType))
    return failNow(wt, ctx, `unknown evaluator '${evaluatorType}' in INLINE task`, { input, terminal: true });
  if (typeof expression !== 'string' || expression.trim() === '') {
    return failNow(wt, ctx, "empty 'expression' in INLINE task's input parameters: a non-empty script is required", {
      input,
      terminal: true,
    });
  }

  for (let attempt = step ? step.retryCount + 1 : 0; ; attempt++) {
    const r = ctx.script(expression, { $: input });
    if (r.ok === 'later') return ctx.yieldTo(ctx.step(ref) ? `step:${ref}` : `from:${ref}`);
    if (r.ok) return completed(wt, ctx, { result: r.value }, { input, retryCount: attempt });
    if (attempt >= retries) return failNow(wt, ctx, r.error, { input, output: { error: r.error }, retryCount: attempt });
    ctx.schedule(wt, { status: TaskStatus.FAILED, queued: false, input, output: { error: r.error }, reason: r.error, retryCount: attempt });
  }
}
