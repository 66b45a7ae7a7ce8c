import type { Logger } from 'pino';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { NotFoundError, StaleAttemptError } from '../../errors';
import type { Engine } from '../engine';
import { AttemptCancelled } from './cancellations';

/** How often an idle runner looks in the store for tasks it was not told about. */
const IDLE_RECHECK_MS = 2000;

export interface TaskOutcome {
  status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';
  output: JsonObject;
  reason: string | null;
}

export interface QueueRunnerOptions {
  /** The internal queue (task type) to claim from. */
  queue: string;
  /** Tasks run at once at most. */
  concurrency: number;
  workerId: string;
  /** Runs one task; `signal` aborts when the attempt is cancelled, loses its lease, or the engine stops. */
  execute(task: TaskRecord, signal: AbortSignal): Promise<TaskOutcome>;
}

/** The engine is stopping: the attempt goes back to its queue for this or another engine to run. */
class EngineStopping extends Error {}

/**
 * A worker inside the engine for system tasks that need I/O or async code (HTTP,
 * JSON_JQ_TRANSFORM): it claims through Engine.poll and reports through Engine.report, exactly as
 * a remote worker does, so fencing, time limits, flow control and the retry policy all apply
 * unchanged. The claim's lease is short (EngineOptions.engineTaskLeaseMs) and renewed every third
 * of it while the task runs, so an attempt whose engine crashed runs again soon after (the
 * sweeper puts it back in the queue: deadlines.ts). An attempt stops early, its request aborted,
 * when a decision or the sweeper closes it (cancellations.ts), when a renewal finds it is no
 * longer ours (closed through another engine), and when the engine stops (it then goes back to
 * its queue at once). The long poll is woken by the engine's waiters as soon as a task of the
 * queue is scheduled.
 */
export class QueueRunner {
  private readonly inFlight = new Set<Promise<void>>();
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private freed: (() => void) | null = null;

  constructor(
    protected readonly engine: Engine,
    protected readonly log: Logger,
    private readonly options: QueueRunnerOptions,
  ) {}

  start(): void {
    this.abort = new AbortController();
    this.loop = this.run().catch((err: unknown) => this.log.error({ err, queue: this.options.queue }, 'system task runner stopped'));
  }

  async stop(): Promise<void> {
    this.abort.abort(new EngineStopping('the engine is stopping'));
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private wake(): void {
    const f = this.freed;
    this.freed = null;
    f?.();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const { queue, workerId, concurrency } = this.options;
    while (!signal.aborted) {
      const free = concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.freed = resolve));
        continue;
      }
      let tasks: TaskRecord[];
      try {
        tasks = await this.engine.poll(queue, workerId, free, 0, signal);
      } catch (err) {
        this.log.warn({ err, queue }, 'system task poll failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      // Idle: park until this engine schedules a task of the queue (or a delayed one becomes
      // visible), re-checking the store only every IDLE_RECHECK_MS for tasks other engines
      // scheduled (their own runners normally take those at once). An idle runner thus costs the
      // store one claim query per interval, not one per long-poll re-check.
      if (tasks.length === 0) await this.engine.waiters.wait(queue, IDLE_RECHECK_MS, signal);
      for (const t of tasks) {
        const p: Promise<void> = this.runOne(t).finally(() => {
          this.inFlight.delete(p);
          this.wake();
        });
        this.inFlight.add(p);
      }
    }
  }

  private async runOne(t: TaskRecord): Promise<void> {
    const ac = new AbortController();
    const forget = this.engine.systemTasks.cancellations.register(t.taskId, ac);
    const onStop = (): void => ac.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    if (this.abort.signal.aborted) onStop();
    const renewal = setInterval(() => void this.renew(t, ac), Math.max(100, Math.floor(this.engine.options.engineTaskLeaseMs / 3)));
    renewal.unref();
    let outcome: TaskOutcome;
    try {
      outcome = await this.options.execute(t, ac.signal);
    } catch (err) {
      outcome = { status: 'FAILED', output: {}, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      clearInterval(renewal);
      forget();
      this.abort.signal.removeEventListener('abort', onStop);
    }
    if (ac.signal.aborted) {
      await this.afterAbort(t, ac.signal.reason);
      return;
    }
    try {
      await this.engine.report({
        taskId: t.taskId,
        workflowInstanceId: t.workflowInstanceId,
        workerId: this.options.workerId,
        attemptToken: t.attemptToken,
        status: outcome.status,
        outputData: outcome.output,
        reasonForIncompletion: outcome.reason,
        callbackAfterSeconds: 0,
        extendLease: false,
        logs: [],
      });
    } catch (err) {
      // A lapsed lease superseded this attempt: its result no longer counts, by design.
      if (err instanceof StaleAttemptError) this.log.warn({ taskId: t.taskId, err }, 'system task result rejected');
      else
        this.log.error(
          { taskId: t.taskId, err },
          'system task result could not be recorded; its lease will lapse and the attempt run again',
        );
    }
  }

  /** Keeps the claim alive while the task runs; a renewal refused means the attempt is no longer ours. */
  private async renew(t: TaskRecord, ac: AbortController): Promise<void> {
    if (ac.signal.aborted) return;
    try {
      await this.engine.report({
        taskId: t.taskId,
        workflowInstanceId: t.workflowInstanceId,
        workerId: this.options.workerId,
        attemptToken: t.attemptToken,
        status: 'IN_PROGRESS',
        outputData: {},
        reasonForIncompletion: null,
        callbackAfterSeconds: 0,
        extendLease: true,
        logs: [],
      });
    } catch (err) {
      if (err instanceof StaleAttemptError || err instanceof NotFoundError) {
        ac.abort(new AttemptCancelled(`the attempt is no longer this engine's: ${err.message}`));
      } else {
        this.log.warn({ err, taskId: t.taskId }, 'could not renew the lease of a system task; retrying at the next renewal');
      }
    }
  }

  private async afterAbort(t: TaskRecord, reason: unknown): Promise<void> {
    if (reason instanceof EngineStopping) {
      // Not run to its end: back to the queue now rather than when the lease lapses.
      try {
        await this.engine.flow.release(t, this.engine.clock.now());
      } catch (err) {
        this.log.warn({ err, taskId: t.taskId }, 'could not give back a system task at shutdown; it runs again when its lease lapses');
      }
      return;
    }
    const why = reason instanceof Error ? reason.message : String(reason);
    this.log.info(
      { taskId: t.taskId, workflowId: t.workflowInstanceId, queue: this.options.queue, reason: why },
      'system task stopped before it ended',
    );
  }
}
