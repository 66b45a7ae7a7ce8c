import { IllegalStateError, LeaseLostError } from '../errors';
import type { Logger } from '../logger';
import { ReportOutcome } from './task-protocol';

/**
 * Extending at half the response timeout leaves the other half for one extension to get through
 * a slow or retried request before the server gives the task to someone else. Below 1 s the
 * requests would cost more than they protect.
 */
export function leaseExtensionIntervalMs(responseTimeoutSeconds: number): number | undefined {
  if (!(responseTimeoutSeconds > 0)) return undefined;
  return Math.max(1_000, Math.floor((responseTimeoutSeconds * 1_000) / 2));
}

export interface LeaseKeeperDeps {
  readonly taskId: string;
  /** Undefined: no automatic extension (the task has no response timeout). */
  readonly intervalMs: number | undefined;
  readonly extend: (signal: AbortSignal, retryBudgetMs: number | undefined) => Promise<ReportOutcome>;
  readonly onLost: (error: LeaseLostError) => void;
  readonly logger: Logger;
}

/** Keeps one attempt's lease alive while its handler runs. */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lost: LeaseLostError | undefined;
  // Aborts an extension still in flight when the handler finishes, so it cannot trail the report.
  private readonly requests = new AbortController();

  constructor(private readonly deps: LeaseKeeperDeps) {}

  start(): void {
    this.schedule();
  }

  /** Extends now and restarts the automatic interval from here. */
  async extendNow(): Promise<void> {
    if (this.lost !== undefined) throw this.lost;
    if (this.stopped) throw new IllegalStateError(`task ${this.deps.taskId} has finished; its lease cannot be extended`);
    this.clearTimer();
    try {
      await this.extendOnce();
    } finally {
      this.schedule();
    }
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.requests.abort();
  }

  private async extendOnce(): Promise<void> {
    // Retrying past the next interval would only overlap the next extension.
    const outcome = await this.deps.extend(this.requests.signal, this.deps.intervalMs);
    if (outcome === ReportOutcome.STALE) {
      const error = new LeaseLostError(this.deps.taskId);
      this.lost = error;
      this.stop();
      this.deps.onLost(error);
      throw error;
    }
    this.deps.logger.debug('lease extended');
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      await this.extendOnce();
    } catch (error) {
      if (this.stopped) return;
      this.deps.logger.warn({ err: error }, 'lease extension failed; trying again at the next interval');
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.deps.intervalMs === undefined) return;
    this.clearTimer();
    this.timer = setTimeout(() => void this.tick(), this.deps.intervalMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
