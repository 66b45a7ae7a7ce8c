import { waitTimeoutMs } from '../../decider/operators/reactions';
import type { EventRecord, WaitRecord } from '../../domain/reactions';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { TaskStatus } from '../../domain/status';
import type { Engine } from '../engine';
import { holds } from './scripts';

export const isWaitTask = (t: { workflowTaskType: string }): boolean =>
  t.workflowTaskType === 'WAIT_FOR_EVENT' || t.workflowTaskType === 'WAIT_FOR_SIGNAL';

/** Events a new WAIT_FOR_EVENT looks through at once when it catches up (then the next page). */
const CATCH_UP_PAGE = 200;

/** What a WAIT_FOR_EVENT completes with, and what a handler's condition and a match see as `event`. */
export function eventView(e: EventRecord): JsonObject {
  return { id: e.eventId, name: e.name, data: e.data as JsonObject, publishedAt: e.publishedAt };
}

/**
 * The runtime half of WAIT_FOR_EVENT and WAIT_FOR_SIGNAL (decider/operators/reactions.ts). A step
 * is armed when it starts (after the commit) and again by its timer if the engine stopped first:
 * its wait is registered in the store, then it catches up with what arrived since it started
 * (events of its name, signals in the inbox), then its timer moves to its timeout. An arriving
 * event or signal registers itself first and looks for waits after, so of the two orders one side
 * always sees the other; completing a step is a fenced store write (still IN_PROGRESS), so when
 * both sides find each other, or an event and the timeout race, the step completes once.
 */
export class Waits {
  constructor(private readonly engine: Engine) {}

  kindOf(t: TaskRecord): 'event' | 'signal' {
    return t.workflowTaskType === 'WAIT_FOR_EVENT' ? 'event' : 'signal';
  }

  nameOf(t: TaskRecord): string {
    return String(this.kindOf(t) === 'event' ? t.inputData.event : t.inputData.signal);
  }

  /** The step's timeout as a time (0: none). */
  deadlineOf(t: TaskRecord): number {
    const ms = waitTimeoutMs(t.inputData);
    return typeof ms === 'number' && ms > 0 ? t.startTime + ms : 0;
  }

  async arm(t: TaskRecord): Promise<void> {
    const { store } = this.engine;
    const kind = this.kindOf(t);
    const name = this.nameOf(t);
    await store.putWait({ taskId: t.taskId, workflowId: t.workflowInstanceId, kind, name, since: t.startTime });
    const done = kind === 'event' ? await this.catchUp(t, name) : await this.engine.reactions.signals.deliverTo(t, name);
    if (done) return;
    const deadline = this.deadlineOf(t);
    if (t.wakeAt !== deadline) await store.rescheduleEngineTask(t.taskId, { wakeAt: t.wakeAt }, deadline, this.engine.clock.now());
  }

  /** The step's timer: its timeout, or the safety net that arms it when the engine stopped before. */
  async onTimer(t: TaskRecord, now: number): Promise<void> {
    const deadline = this.deadlineOf(t);
    if (deadline === 0 || now < deadline) return this.arm(t);
    // A signal already in the inbox arrived before the timeout: it wins.
    if (this.kindOf(t) === 'signal' && (await this.engine.reactions.signals.deliverTo(t, this.nameOf(t)))) return;
    const done = await this.engine.store.completeEngineTask(
      t.taskId,
      { wakeAt: t.wakeAt },
      { status: TaskStatus.COMPLETED, outputData: { timedOut: true }, reasonForIncompletion: null },
      now,
    );
    if (done) await this.finished(done);
  }

  /** Completes a waiting step with `output`, if it is still waiting; answers the finished task. */
  async complete(taskId: string, output: JsonObject): Promise<TaskRecord | null> {
    const done = await this.engine.store.completeEngineTask(
      taskId,
      {},
      { status: TaskStatus.COMPLETED, outputData: output, reasonForIncompletion: null },
      this.engine.clock.now(),
    );
    if (done) await this.finished(done);
    return done;
  }

  /** Does `event` resume this waiting step: published after it started, and its match (if any) holds. */
  async matches(t: TaskRecord, since: number, event: EventRecord): Promise<boolean> {
    if (event.publishedAt < since) return false;
    const match = t.inputData.match;
    if (typeof match !== 'string' || match.trim() === '') return true;
    const wf = await this.engine.store.getWorkflow(t.workflowInstanceId);
    if (!wf) return false;
    const workflow = {
      workflowId: wf.workflowId,
      workflowType: wf.workflowName,
      input: wf.input,
      variables: wf.variables,
      correlationId: wf.correlationId,
      status: wf.status,
    };
    const r = await holds(this.engine, match, { event: eventView(event), workflow }, wf.workflowId);
    if (!r.ok)
      this.engine.log.warn(
        { workflowId: wf.workflowId, taskId: t.taskId, eventId: event.eventId, error: r.error },
        'WAIT_FOR_EVENT match failed; the event does not match',
      );
    return r.ok && r.value;
  }

  /** An event was published: the steps waiting for its name that it matches are completed with it. */
  async eventArrived(event: EventRecord, resumed: (wait: WaitRecord) => Promise<void>): Promise<void> {
    const { store } = this.engine;
    let after = '';
    for (;;) {
      const page = await store.eventWaits(event.name, after, CATCH_UP_PAGE);
      if (page.length === 0) return;
      for (const w of page) {
        const t = await store.getTask(w.taskId);
        if (!t || t.status !== TaskStatus.IN_PROGRESS) {
          await store.deleteWait(w.taskId);
          continue;
        }
        if (!(await this.matches(t, w.since, event))) continue;
        if (await this.complete(t.taskId, { event: eventView(event) })) await resumed(w);
      }
      after = page[page.length - 1]?.taskId ?? after;
    }
  }

  /** A new WAIT_FOR_EVENT looks through the events of its name published since it started. */
  private async catchUp(t: TaskRecord, name: string): Promise<boolean> {
    let since = t.startTime;
    const seen = new Set<string>();
    for (;;) {
      const page = (await this.engine.store.eventsSince(name, since, CATCH_UP_PAGE)).filter((e) => !seen.has(e.eventId));
      if (page.length === 0) return false;
      for (const e of page) {
        seen.add(e.eventId);
        if (!(await this.matches(t, t.startTime, e))) continue;
        const done = await this.complete(t.taskId, { event: eventView(e) });
        if (done) await this.engine.reactions.events.recordResume(e, done);
        return true;
      }
      since = page[page.length - 1]?.publishedAt ?? since;
    }
  }

  /** After a step ended with its wait's outcome: forget the wait, decide the workflow. */
  private async finished(done: TaskRecord): Promise<void> {
    await this.engine.store.deleteWait(done.taskId);
    try {
      await this.engine.advance(done.workflowInstanceId, [done]);
    } catch (err) {
      // The result is durable; the sweeper decides the workflow.
      this.engine.log.warn(
        { err, workflowId: done.workflowInstanceId, taskId: done.taskId },
        'decide after a wait ended failed; the sweeper will retry',
      );
    }
  }
}
