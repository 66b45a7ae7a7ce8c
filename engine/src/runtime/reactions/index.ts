import type { DecideOutcome } from '../../decider';
import type { TaskRecord, WorkflowRecord } from '../../domain/records';
import { TaskStatus, isTerminalWorkflow } from '../../domain/status';
import type { Engine } from '../engine';
import { JQ_THREADS, JqPool } from '../system-tasks/jq';
import { EventBus } from './events/bus';
import { isEventTask, publishFromTask } from './events/publish-task';
import { Admission } from './flow/admission';
import { Queries } from './queries';
import { Scheduler } from './schedules/scheduler';
import { Signals } from './signals';
import { Waits, isWaitTask } from './waits';

export interface ReactionsOptions {
  /** Processed events, consumed signals and schedule executions are deleted this long after (0: kept). */
  retentionMs: number;
}

/** How often retention of reactions runs (in sweeper passes' time). */
const RETENTION_EVERY_MS = 60_000;

/**
 * What reacts to the world (docs/events.md, docs/flow-control.md): events and their handlers,
 * WAIT_FOR_EVENT and WAIT_FOR_SIGNAL steps, signal inboxes, workflow queries, schedules, and
 * per-key flow control of runs. The engine calls in after each commit (afterCommit) and from the
 * sweeper (onTimer for these steps' timers, sweep for the rest); everything is in the store, so
 * any engine can pick up what another left.
 */
export class Reactions {
  readonly waits: Waits;
  readonly signals: Signals;
  readonly events: EventBus;
  readonly queries: Queries;
  readonly scheduler: Scheduler;
  readonly admission: Admission;
  private jqPool: JqPool | null = null;
  private options: ReactionsOptions = { retentionMs: 7 * 86_400_000 };
  private lastRetention = 0;
  private passes = 0;

  constructor(private readonly engine: Engine) {
    this.waits = new Waits(engine);
    this.signals = new Signals(engine);
    this.events = new EventBus(engine);
    this.queries = new Queries(engine, () => this.jq);
    this.scheduler = new Scheduler(engine);
    this.admission = new Admission(engine);
  }

  configure(options: Partial<ReactionsOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** The engine's jq threads, shared by JSON_JQ_TRANSFORM tasks (system-tasks/jq.ts) and queries. */
  get jq(): JqPool {
    return (this.jqPool ??= new JqPool(JQ_THREADS));
  }

  /** After each committed decision: arm the steps it started; free the flow-control slots of a run that ended. */
  afterCommit(wf: WorkflowRecord, out: DecideOutcome): void {
    for (const t of out.decision.newTasks) {
      if (t.status !== TaskStatus.IN_PROGRESS || !this.handlesTimer(t)) continue;
      this.background(isEventTask(t) ? publishFromTask(this.engine, t) : this.waits.arm(t), t);
    }
    const status = out.decision.workflow.status;
    if (status && isTerminalWorkflow(status) && (wf.definition.flowControl || wf.flowWait)) {
      this.background(this.admission.released({ ...wf, status }), null);
    }
  }

  /** The engine-held tasks whose timers this module handles. */
  handlesTimer(t: { workflowTaskType: string }): boolean {
    return isWaitTask(t) || isEventTask(t);
  }

  async onTimer(t: TaskRecord, now: number): Promise<void> {
    if (isEventTask(t)) await publishFromTask(this.engine, t);
    else await this.waits.onTimer(t, now);
  }

  /**
   * The sweeper's pass over reactions: schedules and debounces due (every pass: their time is the
   * user's), events and signals an engine left unprocessed when it stopped (every eighth pass: they
   * wait out a lease or a grace of seconds anyway), flow-control keys (admission.ts).
   */
  async sweep(now: number, batch: number): Promise<number> {
    let acted = 0;
    if (this.passes++ % 8 === 0) {
      acted += await this.step('events', () => this.events.sweep(now, Math.min(batch, 20)));
      acted += await this.step('signals', () => this.signals.sweep(now, batch));
    }
    acted += await this.step('schedules', () => this.scheduler.sweep(now, batch));
    acted += await this.step('flow control', () => this.admission.sweep(now, batch));
    if (this.options.retentionMs > 0 && now - this.lastRetention >= RETENTION_EVERY_MS) {
      this.lastRetention = now;
      acted += await this.step('retention', () => this.engine.store.purgeReactions(now - this.options.retentionMs, 1000));
    }
    return acted;
  }

  async close(): Promise<void> {
    this.admission.close();
    await this.jqPool?.close();
  }

  private async step(what: string, fn: () => Promise<number>): Promise<number> {
    try {
      return await fn();
    } catch (err) {
      this.engine.log.warn({ err }, `sweep of ${what} failed; the next pass retries`);
      return 0;
    }
  }

  private background(p: Promise<void>, task: TaskRecord | null): void {
    p.catch((err: unknown) =>
      this.engine.log.warn(
        { err, taskId: task?.taskId, workflowId: task?.workflowInstanceId },
        'reaction step failed; the sweeper will retry',
      ),
    );
  }
}
