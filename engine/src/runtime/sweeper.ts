import type { Logger } from 'pino';
import { TaskStatus } from '../domain/status';
import type { Engine } from './engine';

export interface SweeperOptions {
  intervalMs: number;
  /** A result younger than this is still being decided by the request that recorded it. */
  unappliedGraceMs: number;
  batch: number;
}

/**
 * Drives everything time-based and recovers what a crash interrupted: lapsed leases become
 * TIMED_OUT attempts (then retried per policy), results a crashed engine recorded but never
 * decided are decided, workflow timers fire. Every write it makes is fenced, so several engines
 * sweeping the same database act once per item.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly options: SweeperOptions,
  ) {}

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
    let acted = 0;

    for (const t of await store.expiredLeases(now, this.options.batch)) {
      const reason = `responseTimeoutSeconds elapsed: no report or lease extension from worker ${t.workerId ?? '?'}`;
      const timedOut = await store.timeOutAttempt(t.taskId, { status: TaskStatus.IN_PROGRESS, attemptToken: t.attemptToken }, reason, now);
      if (!timedOut) continue;
      acted++;
      this.log.info({ workflowId: t.workflowInstanceId, taskId: t.taskId, workerId: t.workerId }, 'lease expired');
      await this.advanceQuietly(t.workflowInstanceId);
    }

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
