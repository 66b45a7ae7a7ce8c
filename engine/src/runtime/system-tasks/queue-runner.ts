import type { Logger } from 'pino';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { StaleAttemptError } from '../../errors';
import type { Engine } from '../engine';

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
  execute(task: TaskRecord): Promise<TaskOutcome>;
}

/**
 * A worker inside the engine for system tasks that need I/O or async code (HTTP,
 * JSON_JQ_TRANSFORM): it claims through Engine.poll and reports through Engine.report, exactly as
 * a remote worker does, so the claim's lease, fencing, time limits, flow control and the task
 * definition's retry policy all apply unchanged, and a crash of the engine mid-task is recovered
 * like a crashed worker (the lease lapses, the attempt is retried). The long poll is woken by the
 * engine's waiters as soon as a task of the queue is scheduled.
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
    this.abort.abort();
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
    let outcome: TaskOutcome;
    try {
      outcome = await this.options.execute(t);
    } catch (err) {
      outcome = { status: 'FAILED', output: {}, reason: err instanceof Error ? err.message : String(err) };
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
      else this.log.error({ taskId: t.taskId, err }, 'system task result could not be recorded; its lease will lapse and the attempt be retried');
    }
  }
}
