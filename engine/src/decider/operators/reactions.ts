import { eventNameOfSink, parseDuration, type WorkflowTask } from '@baton/definitions';
import { createHash } from 'node:crypto';
import { taskIdFor } from '../../domain/ids';
import type { JsonObject } from '../../domain/records';
import { TaskStatus, isSuccessfulTask, isTerminalTask } from '../../domain/status';
import { BLOCKED, DONE, type DecideContext, type StepResult } from '../context';
import { failNow, giveUp } from './shared';

/**
 * The steps that react to the world (docs/events.md). All three are engine-held (IN_PROGRESS,
 * queued=false) with a durable timer, like WAIT; the runtime does their I/O after the commit
 * (runtime/reactions/waits.ts, runtime/reactions/events/publish.ts) and completes them with a
 * fenced store write, then decides the workflow with the result, as for WAIT. The decider only
 * checks and records what the step asks for: matching an event against an expression runs in the
 * runtime, on the script sandbox, never here.
 *
 * The first timer is a safety net: if the engine stops between the commit and registering the
 * wait (or publishing the event), the sweeper finds the task due within WAIT_CHECK_MS and does it.
 * Once registered, the timer moves to the step's timeout (or goes away when it has none).
 */
export const WAIT_CHECK_MS = 5000;

/**
 * WAIT_FOR_EVENT: `inputParameters: {event: "<name>", match?: "<JavaScript over event and
 * workflow>", timeout?: "1m"}`. Completes with `{event}` when a matching event is published after
 * the step started; at the timeout, COMPLETED with `{timedOut: true}` (a SWITCH can branch on it).
 */
export function evaluateWaitForEvent(wt: WorkflowTask, ctx: DecideContext): StepResult {
  if (ctx.step(wt.taskReferenceName)) return heldOutcome(wt, ctx);
  const input = ctx.resolve(wt.inputParameters);
  const name = input.event;
  if (typeof name !== 'string' || name.trim() === '') {
    return failNow(wt, ctx, 'WAIT_FOR_EVENT needs inputParameters.event: the name of the event to wait for', { input, terminal: true });
  }
  if (input.match !== undefined && input.match !== null && typeof input.match !== 'string') {
    return failNow(wt, ctx, 'WAIT_FOR_EVENT inputParameters.match must be a JavaScript expression (a string)', { input, terminal: true });
  }
  return holdUntil(wt, ctx, input);
}

/**
 * WAIT_FOR_SIGNAL: `inputParameters: {signal: "<name>", timeout?: "1m"}`. Takes the oldest
 * pending signal of that name from the workflow's inbox (one that arrived before the step started
 * counts: signals are buffered) and completes with `{signal, payload, receivedAt, signalId, seq}`;
 * at the timeout, COMPLETED with `{timedOut: true}`.
 */
export function evaluateWaitForSignal(wt: WorkflowTask, ctx: DecideContext): StepResult {
  if (ctx.step(wt.taskReferenceName)) return heldOutcome(wt, ctx);
  const input = ctx.resolve(wt.inputParameters);
  const name = input.signal;
  if (typeof name !== 'string' || name.trim() === '') {
    return failNow(wt, ctx, 'WAIT_FOR_SIGNAL needs inputParameters.signal: the name of the signal to wait for', { input, terminal: true });
  }
  return holdUntil(wt, ctx, input);
}

/**
 * EVENT (Conductor's): publishes the step's resolved input as an event's data, to the sink
 * `conductor:<name>` (or `conductor`: `<workflow name>:<task reference name>`), then completes
 * with `{event_produced, sink, eventId}`. The event id derives from the attempt's task id, so the
 * publish, repeated after a crash, stores the event once. Other sinks fail the step for good.
 */
export function evaluateEvent(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (step) return heldOutcome(wt, ctx);
  const input = ctx.resolve(wt.inputParameters);
  const eventName = eventNameOfSink(wt.sink, ctx.workflow.workflowName, wt.taskReferenceName);
  if (eventName === null) {
    return failNow(wt, ctx, `EVENT sink '${String(wt.sink ?? '')}' is not supported: Baton publishes to "conductor:<event name>" only`, {
      input,
      terminal: true,
    });
  }
  // The id ctx.schedule gives this first attempt (domain/ids.ts), and the run's start: a restarted
  // run reuses its task ids, and its EVENT step must publish a new event.
  const taskId = taskIdFor(ctx.workflow.workflowId, wt.taskReferenceName, ctx.iteration, 0);
  const output: JsonObject = {
    event_produced: `conductor:${eventName}`,
    sink: wt.sink ?? 'conductor',
    eventName,
    eventId: eventTaskEventId(taskId, ctx.workflow.startTime),
  };
  ctx.schedule(wt, { status: TaskStatus.IN_PROGRESS, queued: false, input, output, wakeAt: ctx.now + WAIT_CHECK_MS });
  return BLOCKED;
}

/** The event an EVENT attempt publishes: derived from its task id and its run's start, so a redo stores it once. */
export function eventTaskEventId(taskId: string, runStart: number): string {
  const h = createHash('sha1').update(`event-task\u0000${taskId}\u0000${runStart}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The step's timeout in ms (0: none), or the reason it is not a duration. */
export function waitTimeoutMs(input: JsonObject): number | { error: string } {
  const t = input.timeout;
  if (t === undefined || t === null || t === '') return 0;
  const ms = parseDuration(t);
  if (ms === null || ms <= 0) return { error: `invalid timeout '${String(t)}': expected e.g. "30s", "1m", "2h 30m", "3 days"` };
  return ms;
}

function holdUntil(wt: WorkflowTask, ctx: DecideContext, input: JsonObject): StepResult {
  const timeout = waitTimeoutMs(input);
  if (typeof timeout !== 'number') return failNow(wt, ctx, `${wt.type}: ${timeout.error}`, { input, terminal: true });
  const deadline = timeout > 0 ? ctx.now + timeout : 0;
  const check = ctx.now + WAIT_CHECK_MS;
  ctx.schedule(wt, { status: TaskStatus.IN_PROGRESS, queued: false, input, wakeAt: deadline > 0 ? Math.min(deadline, check) : check });
  return BLOCKED;
}

/** An engine-held step's outcome: open, done, or failed with `optional` honoured. */
function heldOutcome(wt: WorkflowTask, ctx: DecideContext): StepResult {
  const step = ctx.step(wt.taskReferenceName);
  if (!step || !isTerminalTask(step.status)) return BLOCKED;
  if (isSuccessfulTask(step.status)) return DONE;
  return giveUp(wt, ctx, step);
}
