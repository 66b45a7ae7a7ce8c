import { parseDuration, type WorkflowTask } from '@baton/definitions';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { completed, failNow, giveUp } from './shared';

/**
 * WAIT: holds the flow until a time or until someone completes it over REST.
 * - inputParameters.duration ("10m20s", "2s", "1h 5m", "3 days"): due that long after scheduling;
 * - inputParameters.until ("2026-11-23 14:00 UTC", ISO 8601): due then (no zone means UTC);
 * - neither: open until completed over REST (`POST /api/tasks/{workflowId}/{ref}/COMPLETED`).
 * A due time is the task's own durable timer (wakeAt); the sweeper completes the task when it
 * passes (runtime/system-tasks/index.ts, sweepTimers), so a wait survives an engine restart. A due time
 * already past completes at once. A bad duration or date fails the task for good.
 */
export function evaluateWait(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return heldOutcome(wt, ctx);

  const input = ctx.resolve(wt.inputParameters);
  const due = dueTimeOf(input, ctx.now);
  if ('error' in due) return failNow(wt, ctx, due.error, { input, terminal: true });
  if (due.at !== 0 && due.at <= ctx.now) return completed(wt, ctx, {}, { input });
  ctx.schedule(wt, { status: TaskStatus.IN_PROGRESS, queued: false, input, wakeAt: due.at });
  return BLOCKED;
}

/** HUMAN: open until completed (or failed) over REST, like a WAIT without a timer. */
export function evaluateHuman(wt: WorkflowTask, ctx: DecideContext): StepResult {
  if (ctx.step(wt.taskReferenceName)) return heldOutcome(wt, ctx);
  ctx.schedule(wt, { status: TaskStatus.IN_PROGRESS, queued: false });
  return BLOCKED;
}

/** An engine-held step's outcome: open, done, or failed (over REST) with `optional` honoured. */
function heldOutcome(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (!step || !isTerminalTask(step.status)) return BLOCKED;
  if (isSuccessfulTask(step.status)) return DONE;
  return giveUp(wt, ctx, step);
}

/** The longest wait a duration may ask for: Conductor's int32 seconds (about 68 years). */
const MAX_WAIT_MS = 2_147_483_647 * 1000;

/** 0 when the wait has no due time (completed over REST). */
export function dueTimeOf(input: Record<string, unknown>, now: number): { at: number } | { error: string } {
  const { duration, until } = input;
  const has = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  if (has(duration) && has(until)) return { error: "WAIT takes either 'duration' or 'until' in its input parameters, not both" };
  if (has(duration)) {
    const ms = parseDuration(duration);
    if (ms === null) return { error: `invalid WAIT duration '${String(duration)}': expected e.g. "30s", "10m20s", "1h 5m", "2 days"` };
    if (ms > MAX_WAIT_MS)
      return { error: `WAIT duration '${String(duration)}' is longer than ${MAX_WAIT_MS / 1000} seconds (Conductor's int32 seconds)` };
    return { at: now + ms };
  }
  if (has(until)) {
    const at = parseUntil(until);
    if (at === null)
      return { error: `invalid WAIT until '${String(until)}': expected e.g. "2026-11-23 14:00 UTC" or an ISO 8601 date-time` };
    if (at - now > MAX_WAIT_MS)
      return { error: `WAIT until '${String(until)}' is more than ${MAX_WAIT_MS / 1000} seconds away (Conductor's int32 seconds)` };
    return { at };
  }
  return { at: 0 };
}

/** Conductor-style durations (definitions' parseDuration, shared with the waits for events and signals). */
export { parseDuration };

/** "yyyy-MM-dd", "yyyy-MM-dd HH:mm[:ss]" with an optional "UTC"/"GMT"/"Z" (no zone means UTC), or ISO 8601 with an offset. */
export function parseUntil(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(?:UTC|GMT|Z)?$/i.exec(v.trim());
  if (m) {
    const [, y, mo, d, h, mi, s, frac] = m;
    const at = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h ?? 0),
      Number(mi ?? 0),
      Number(s ?? 0),
      Number((frac ?? '0').padEnd(3, '0')),
    );
    return Number.isNaN(at) ? null : at;
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : at;
}
