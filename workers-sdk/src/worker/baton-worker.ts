import { ConfigError, IllegalStateError } from '../errors';
import { HttpTransport } from '../http/transport';
import type { Logger } from '../logger';
import { scopeLogger } from '../logger';
import type { BatonWorkerOptions, CompiledWorkerOptions } from '../options';
import { compileWorkerOptions, positiveInteger } from '../options';
import { PollLoop } from './poll-loop';
import type { TaskRegistration } from './task-context';
import type { ErasedHandler } from './task-execution';
import { executeTask } from './task-execution';
import { TaskProtocol } from './task-protocol';

export const WorkerState = {
  IDLE: 'idle',
  RUNNING: 'running',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

interface CompiledRegistration {
  readonly taskType: string;
  readonly concurrency: number;
  readonly handler: ErasedHandler;
}

/**
 * Polls the server for tasks of the registered types, runs their handlers with bounded
 * concurrency, keeps their leases alive and reports their results.
 */
export class BatonWorker {
  private readonly options: CompiledWorkerOptions;
  private readonly logger: Logger;
  private readonly protocol: TaskProtocol;
  private readonly registrations = new Map<string, CompiledRegistration>();
  private readonly stopController = new AbortController();
  private loops: PollLoop[] = [];
  private stopping: Promise<void> | undefined;
  private currentState: WorkerState = WorkerState.IDLE;

  constructor(options: BatonWorkerOptions) {
    this.options = compileWorkerOptions(options);
    this.logger = scopeLogger(this.options.logger, { workerId: this.options.workerId });
    const http = new HttpTransport({ ...this.options, logger: this.logger });
    this.protocol = new TaskProtocol(http, this.options.workerId, this.options.requestTimeoutMs, this.options.externalPayloadThresholdBytes);
  }

  get workerId(): string {
    return this.options.workerId;
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /**
   * `I` is the caller's statement of the input's shape: the SDK passes the server's inputData
   * through unchecked, so handlers that cannot trust it should validate it.
   */
  register<I = Record<string, unknown>, O = unknown>(registration: TaskRegistration<I, O>): this {
    if (this.currentState !== WorkerState.IDLE) {
      throw new IllegalStateError('register every task type before start()');
    }
    const { taskType, handler } = registration;
    if (typeof taskType !== 'string' || taskType.trim() === '') throw new ConfigError('taskType must be a non-empty string');
    if (typeof handler !== 'function') throw new ConfigError(`handler of ${taskType} must be a function`);
    if (this.registrations.has(taskType)) throw new ConfigError(`${taskType} is registered twice`);
    this.registrations.set(taskType, {
      taskType,
      concurrency: positiveInteger(`concurrency of ${taskType}`, registration.concurrency, 1),
      handler: (input, ctx) => handler(input as unknown as I, ctx),
    });
    return this;
  }

  /** Starts one poll loop per registered task type and returns at once. */
  async start(): Promise<void> {
    if (this.currentState === WorkerState.RUNNING) return;
    if (this.currentState !== WorkerState.IDLE) throw new IllegalStateError('a stopped worker cannot start again');
    if (this.registrations.size === 0) throw new IllegalStateError('no task type is registered');
    this.currentState = WorkerState.RUNNING;
    this.loops = [...this.registrations.values()].map((registration) => {
      const logger = scopeLogger(this.logger, { taskType: registration.taskType });
      return new PollLoop({
        taskType: registration.taskType,
        concurrency: registration.concurrency,
        protocol: this.protocol,
        pollTimeoutMs: this.options.pollTimeoutMs,
        backoff: this.options.pollErrorBackoff,
        stopSignal: this.stopController.signal,
        execute: (task) =>
          executeTask(task, {
            handler: registration.handler,
            protocol: this.protocol,
            workerId: this.workerId,
            logger,
            stopSignal: this.stopController.signal,
            reportAndPoll: this.options.reportAndPoll,
          }),
        logger,
      });
    });
    for (const loop of this.loops) loop.start();
    this.logger.info(
      { taskTypes: [...this.registrations.keys()], serverUrl: this.options.serverUrl },
      'worker started',
    );
  }

  /**
   * Stops polling at once (an open long poll is aborted), lets running handlers finish and their
   * reports go out, then resolves. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopGracefully();
    return this.stopping;
  }

  /**
   * On SIGTERM or SIGINT: stop(), then exit with code 0. A second signal while stopping exits at
   * once with code 1. Returns a function that removes the listeners.
   */
  stopOnSignals(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        this.logger.warn({ signal }, 'second signal while stopping; exiting without waiting for running tasks');
        process.exit(1);
        return;
      }
      received = true;
      this.logger.info({ signal }, 'signal received; stopping');
      this.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          this.logger.error({ err: error }, 'worker did not stop cleanly');
          process.exit(1);
        },
      );
    };
    for (const signal of signals) process.on(signal, onSignal);
    return () => {
      for (const signal of signals) process.off(signal, onSignal);
    };
  }

  private async stopGracefully(): Promise<void> {
    const wasRunning = this.currentState === WorkerState.RUNNING;
    this.currentState = WorkerState.STOPPING;
    this.stopController.abort();
    if (wasRunning) this.logger.info('worker stopping; waiting for running tasks');
    await Promise.all(this.loops.map((loop) => loop.drain()));
    this.currentState = WorkerState.STOPPED;
    if (wasRunning) this.logger.info('worker stopped');
  }
}
