import type { Logger } from '../logger';
import type { Task } from '../protocol/types';
import { sleep } from '../util/sleep';
import type { TaskProtocol } from './task-protocol';

// An empty answer that came back sooner than this means the server does not hold polls open
// (or answered 204 at once); waiting the rest keeps such a server at 5 polls/s per task type
// instead of a hot loop. A long-polling server answers empty only after the wait, so never pauses here.
const MIN_EMPTY_POLL_INTERVAL_MS = 200;

// A busy worker frees its slots one at a time; polling for each single slot costs one HTTP round
// trip per task. While at least one task is running, a poll waits until a quarter of the slots
// are free or this long has passed since a slot freed, so polls carry batches under load
// (measured: about half the requests per step at 2 x 32 slots) and an idle worker polls at once.
const BATCH_GATHER_MS = 5;

export interface PollLoopDeps {
  readonly taskType: string;
  readonly concurrency: number;
  readonly protocol: TaskProtocol;
  readonly pollTimeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Aborted by stop(): ends polling (and an open long poll) but not the tasks already claimed. */
  readonly stopSignal: AbortSignal;
  readonly execute: (task: Task) => Promise<void>;
  readonly logger: Logger;
}

/** Polls one task type, never holding more than `concurrency` tasks at once. */
export class PollLoop {
  private inFlight = 0;
  // Tasks claimed but not started: only non-empty when a server returns more than it was asked for.
  private readonly backlog: Task[] = [];
  private readonly executions = new Set<Promise<void>>();
  private wakeUp: (() => void) | undefined;
  /** True once this poll has waited its BATCH_GATHER_MS for more free slots. */
  private gathered = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: PollLoopDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once polling has ended and every claimed task has run and been reported. */
  async drain(): Promise<void> {
    await this.loop;
    while (this.executions.size > 0) await Promise.all(this.executions);
  }

  private async run(): Promise<void> {
    const { stopSignal, logger } = this.deps;
    let backoffMs = this.deps.backoff.initialMs;
    while (!stopSignal.aborted) {
      const freeSlots = this.deps.concurrency - this.inFlight - this.backlog.length;
      if (freeSlots <= 0) {
        await this.slotFreed(stopSignal);
        continue;
      }
      if (this.inFlight > 0 && freeSlots < Math.max(1, Math.floor(this.deps.concurrency / 4)) && !this.gathered) {
        this.gathered = true;
        await this.slotFreed(stopSignal, BATCH_GATHER_MS);
        continue;
      }
      this.gathered = false;
      const startedAt = Date.now();
      let tasks: Task[];
      try {
        tasks = await this.deps.protocol.poll(this.deps.taskType, freeSlots, this.deps.pollTimeoutMs, stopSignal);
        backoffMs = this.deps.backoff.initialMs;
      } catch (error) {
        if (stopSignal.aborted) break;
        logger.warn({ err: error, retryInMs: backoffMs }, 'poll failed');
        await sleep(backoffMs, stopSignal);
        backoffMs = Math.min(backoffMs * 2, this.deps.backoff.maxMs);
        continue;
      }
      if (tasks.length > freeSlots) {
        logger.warn({ asked: freeSlots, got: tasks.length }, 'server returned more tasks than asked for; extras wait for a slot');
      }
      this.backlog.push(...tasks);
      this.startFromBacklog();
      const elapsedMs = Date.now() - startedAt;
      if (tasks.length === 0 && elapsedMs < MIN_EMPTY_POLL_INTERVAL_MS) {
        await sleep(MIN_EMPTY_POLL_INTERVAL_MS - elapsedMs, stopSignal);
      }
    }
    // Claimed tasks still run after stop(): dropping them would leave them idle until their lease expires.
    while (this.backlog.length > 0) {
      this.startFromBacklog();
      if (this.backlog.length > 0) await this.slotFreed();
    }
  }

  private startFromBacklog(): void {
    while (this.inFlight < this.deps.concurrency) {
      const task = this.backlog.shift();
      if (task === undefined) return;
      this.inFlight += 1;
      const execution = this.deps
        .execute(task)
        .catch((error: unknown) => this.deps.logger.error({ err: error, taskId: task.taskId }, 'task execution crashed'))
        .finally(() => {
          this.inFlight -= 1;
          this.executions.delete(execution);
          const wakeUp = this.wakeUp;
          this.wakeUp = undefined;
          wakeUp?.();
        });
      this.executions.add(execution);
    }
  }

  /** Resolves when a task finishes, when `signal` aborts, or after `timeoutMs` when given. */
  private slotFreed(signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(), timeoutMs);
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      if (signal?.aborted === true) done();
      else signal?.addEventListener('abort', done, { once: true });
    });
  }
}
