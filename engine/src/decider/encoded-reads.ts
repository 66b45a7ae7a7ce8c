import { EncodedReadError, type WorkflowTask } from '@baton/definitions';
import { TaskStatus, isTerminalTask } from '../domain/status';
import type { DecideContext, StepResult } from './context';
import { failNow, giveUp } from './operators/shared';

/**
 * Runs an operator, and fails its step for good when an expression in it read into an encoded
 * value (docs/payloads.md, "Codecs"): the engine holds no keys, so no retry could succeed, and
 * the reason names the field. A step not scheduled yet (operators resolve their input first) gets
 * a failed attempt; an open one (a DO_WHILE checking its condition) is closed as failed; either
 * way the failure goes up the flow as any step's would (an optional step's is tolerated).
 */
export function refusingEncodedReads(wt: WorkflowTask, ctx: DecideContext, run: () => StepResult): StepResult {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof EncodedReadError)) throw err;
    const ref = wt.taskReferenceName;
    const step = ctx.step(ref);
    if (!step) return failNow(wt, ctx, err.message, { input: {}, terminal: true });
    if (isTerminalTask(step.status)) return { kind: 'failed', ref, reason: err.message };
    ctx.finish(ref, TaskStatus.FAILED_WITH_TERMINAL_ERROR, {}, err.message);
    return giveUp(wt, ctx, ctx.step(ref) ?? step);
  }
}

/** The workflow's output, or the reason it cannot be resolved (its outputParameters read into an encoded value). */
export function outputOrEncodedRead(resolve: () => Record<string, unknown>): { output: Record<string, unknown> } | { reason: string } {
  try {
    return { output: resolve() };
  } catch (err) {
    if (!(err instanceof EncodedReadError)) throw err;
    return { reason: `the workflow's outputParameters: ${err.message}` };
  }
}
