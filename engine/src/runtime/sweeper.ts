import type { Logger } from 'pino';
import { DeadlineSweep } from './deadlines';
import type { Engine } from './engine';

/** How old a not-yet-published task must be before the sweeper settles it: far above any commit's duration. */
const PENDING_GRACE_MS = 30_000;

export interface SweeperOptions {
  intervalMs: number;
  /** A result younger than this is still being decided by the request that recorded it. */
  unappliedGraceMs: number;
  batch: number;
  /**
   * The largest difference between the clocks of engines sharing a store (docs/reliability.md,
   * "Clock skew"). A lease lapses for this sweeper only this long after its leaseUntil, which the
   * claiming engine computed on its own clock: so no engine whose clock runs ahead takes a
   * worker's attempt away before the worker's lease ran out on the claiming engine's clock.
   */
  clockSkewMs?: number;
}

/**
 * Drives everything time-based and recovers what a crash interrupted: task time limits fire
 * (lapsed leases, poll, attempt and total deadlines: deadlines.ts), results a crashed engine
 * recorded but never decided are decided, workflow timers fire (workflow timeouts, retry
 * wake-ups, failure workflows still to start). All of it is read from the store, so it survives
 * a restart, and fires within one sweep interval of being due. Every write it makes is fenced,
 * so several engines sweeping the same database act once per item.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private passes = 0;
  private readonly deadlines: DeadlineSweep;

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly options: SweeperOptions,
  ) {
    this.deadlines = new DeadlineSweep(engine, log);
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.log.error({ err }, 'sweep failed'))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.options.intervalMs);
  }

  /** One pass; returns how many items it acted on. Public for tests driving a manual clock. */
  async sweep(): Promise<number> {
    const { store, clock } = this.engine;
    const now = clock.now();
    let acted = await this.deadlines.sweep(now, this.options.batch, this.options.clockSkewMs ?? 0);
    // WAIT timers and SUB_WORKFLOW re-checks (runtime/system-tasks).
    acted += await this.engine.systemTasks.sweepTimers(now, this.options.batch);
    // Events and signals left unprocessed, schedules due, flow control (runtime/reactions).
    acted += await this.engine.reactions.sweep(now, this.options.batch);

    // Tasks of decisions that lost their race or crashed before publishing (MongoDB), after a grace.
    if (store.recoverPendingTasks && this.passes++ % 20 === 0)
      acted += await store.recoverPendingTasks(now - PENDING_GRACE_MS, this.options.batch);

    const ids = new Set([
      ...(await store.workflowsWithUnappliedResults(now - this.options.unappliedGraceMs, this.options.batch)),
      ...(await store.dueWorkflowTimers(now, this.options.batch)),
    ]);
    for (const id of ids) {
      acted++;
      await this.advanceQuietly(id);
    }
    return acted;
  }

  private async advanceQuietly(workflowId: string): Promise<void> {
    try {
      await this.engine.advance(workflowId);
    } catch (err) {
      this.log.warn({ err, workflowId }, 'sweeper could not decide workflow');
    }
  }
}
