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
import { syncTaskDef } from './task-def-sync';
import { checkedHandler, isTypedRegistration, taskDefOf, type TypedTaskRegistration } from './typed-task';
import type { TSchema } from '@sinclair/typebox';
import { HttpError } from '../errors';
import type { TaskDefLike } from '../protocol/types';

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
  /** Typed registrations: the task definition start() puts the schemas on. */
  readonly taskDef?: TaskDefLike;
}

/**
 * Polls the server for tasks of the registered types, runs their handlers with bounded
 * concurrency, keeps their leases alive and reports their results.
 */
export class BatonWorker {
  private readonly options: CompiledWorkerOptions;
  private readonly logger: Logger;
  private readonly protocol: TaskProtocol;
  private readonly http: HttpTransport;
  private readonly registrations = new Map<string, CompiledRegistration>();
  private readonly stopController = new AbortController();
  private loops: PollLoop[] = [];
  private stopping: Promise<void> | undefined;
  private currentState: WorkerState = WorkerState.IDLE;

  constructor(options: BatonWorkerOptions) {
    this.options = compileWorkerOptions(options);
    this.logger = scopeLogger(this.options.logger, { workerId: this.options.workerId });
    this.http = new HttpTransport({ ...this.options, logger: this.logger });
    this.protocol = new TaskProtocol(
      this.http,
      this.options.workerId,
      this.options.requestTimeoutMs,
      this.options.externalPayloadThresholdBytes,
    );
  }

  get workerId(): string {
    return this.options.workerId;
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /**
   * Typed: with TypeBox `inputSchema` and `outputSchema`, the handler's types are inferred from
   * them, the worker checks the input before and the output after the handler, and start() puts
   * the schemas on the task definition (docs/typed-tasks.md).
   */
  register<I extends TSchema, O extends TSchema>(registration: TypedTaskRegistration<I, O>): this;
  /**
   * Untyped: `I` is the caller's statement of the input's shape; the SDK passes the server's
   * inputData through unchecked, so handlers that cannot trust it should validate it.
   */
  register<I = Record<string, unknown>, O = unknown>(registration: TaskRegistration<I, O>): this;
  register(registration: TaskRegistration<unknown, unknown> | TypedTaskRegistration<TSchema, TSchema>): this {
    if (this.currentState !== WorkerState.IDLE) {
      throw new IllegalStateError('register every task type before start()');
    }
    const { taskType, handler } = registration;
    if (typeof taskType !== 'string' || taskType.trim() === '') throw new ConfigError('taskType must be a non-empty string');
    if (typeof handler !== 'function') throw new ConfigError(`handler of ${taskType} must be a function`);
    if (this.registrations.has(taskType)) throw new ConfigError(`${taskType} is registered twice`);
    const concurrency = positiveInteger(`concurrency of ${taskType}`, registration.concurrency, 1);
    if (isTypedRegistration(registration)) {
      if (registration.inputSchema === undefined || registration.outputSchema === undefined) {
        throw new ConfigError(`${taskType}: a typed task needs both inputSchema and outputSchema`);
      }
      this.registrations.set(taskType, {
        taskType,
        concurrency,
        handler: checkedHandler(registration),
        ...(registration.taskDef === false ? {} : { taskDef: taskDefOf(registration) }),
      });
      return this;
    }
    const untyped = registration as TaskRegistration<unknown, unknown>;
    this.registrations.set(taskType, { taskType, concurrency, handler: (input, ctx) => untyped.handler(input, ctx) });
    return this;
  }

  /**
   * Puts the schemas of typed task types on their task definitions (start() does it first). A
   * worker whose key may not write definitions (403) logs a warning and still checks both sides.
   */
  private async syncTaskDefs(): Promise<void> {
    for (const { taskDef } of this.registrations.values()) {
      if (taskDef === undefined) continue;
      try {
        const result = await syncTaskDef(this.http, taskDef);
        this.logger.info({ taskType: taskDef.name, result }, 'task definition schemas registered');
      } catch (error) {
        if (!(error instanceof HttpError && error.status === 403)) throw error;
        this.logger.warn(
          { taskType: taskDef.name },
          'not allowed to register the task definition; the server does not enforce its schemas unless an operator does',
        );
      }
    }
  }

  /**
   * Puts typed task types' schemas on their task definitions, then starts one poll loop per
   * registered task type and returns.
   */
  async start(): Promise<void> {
    if (this.currentState === WorkerState.RUNNING) return;
    if (this.currentState !== WorkerState.IDLE) throw new IllegalStateError('a stopped worker cannot start again');
    if (this.registrations.size === 0) throw new IllegalStateError('no task type is registered');
    this.currentState = WorkerState.RUNNING;
    try {
      await this.syncTaskDefs();
    } catch (error) {
      if (this.currentState === WorkerState.RUNNING) this.currentState = WorkerState.IDLE;
      throw error;
    }
    // stop() was called while the definitions were being registered.
    if (this.currentState !== WorkerState.RUNNING) return;
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
            codec: this.options.codec,
          }),
        logger,
      });
    });
    for (const loop of this.loops) loop.start();
    this.logger.info({ taskTypes: [...this.registrations.keys()], serverUrl: this.options.serverUrl }, 'worker started');
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
   * On SIGTERM or SIGINT: stop() (no new tasks; running ones finish and are reported). The
   * listeners are removed at the first signal, so the process then ends by itself once nothing
   * else keeps it alive, and a second signal ends it at once (Node's default action). A library
   * never calls process.exit: `onStopped` is told when the worker stopped (with the error if it
   * did not stop cleanly; process.exitCode is then set to 1). Returns a function that removes
   * the listeners.
   */
  stopOnSignals(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'], onStopped?: (error?: unknown) => void): () => void {
    const remove = (): void => {
      for (const signal of signals) process.off(signal, onSignal);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      remove();
      this.logger.info({ signal }, 'signal received; stopping (a second signal ends the process at once)');
      this.stop().then(
        () => onStopped?.(),
        (error: unknown) => {
          this.logger.error({ err: error }, 'worker did not stop cleanly');
          process.exitCode = 1;
          onStopped?.(error);
        },
      );
    };
    for (const signal of signals) process.on(signal, onSignal);
    return remove;
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
