// Runs handlers against a real Baton engine in the test's own process: an embedded SQLite store in
// a temporary folder (removed on close), HTTP on a free loopback port, and a clock the test moves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { BatonClient } from '../client/baton-client';
import { IllegalStateError } from '../errors';
import type { Logger } from '../logger';
import type { BatonWorkerOptions } from '../options';
import type { JsonObject, Task, Workflow } from '../protocol/types';
import { BatonWorker } from '../worker/baton-worker';
import type { TaskRegistration } from '../worker/task-context';
import { isTypedRegistration, taskDefOf, type TypedTaskRegistration } from '../worker/typed-task';
import { TestClock } from './clock';
import { loadEngine, type RunningEngine } from './engine-module';

export interface TestKitOptions {
  /** Engine settings as environment variables (README, "Configuration"), e.g. `{ BATON_MAX_PAYLOAD_BYTES: '1000' }`. */
  env?: Record<string, string>;
  /** The engine's log level (pino). Default `silent`; `LOG_LEVEL` in the environment wins. */
  logLevel?: string;
  /** Logger of the kit's workers and client. Default silent. */
  logger?: Logger;
}

export interface RunTaskOptions {
  /** How long to wait for the run to end. Default 30000 ms. */
  timeoutMs?: number;
  /** Fields of the task definition registered for an untyped handler (typed ones carry their own). */
  taskDef?: Record<string, unknown>;
}

export interface TaskRun {
  /** The status of the step's last attempt: COMPLETED, FAILED, FAILED_WITH_TERMINAL_ERROR, TIMED_OUT... */
  status: string;
  /** The last attempt's outputData. */
  output: JsonObject;
  /** The last attempt's reasonForIncompletion, when it failed. */
  reason: string | undefined;
  /** Every attempt, oldest first. */
  attempts: Task[];
  /** The one-step workflow the handler ran in. */
  workflow: Workflow;
}

/**
 * A real engine for a test. Start one with `BatonTestKit.start()`, close it in `afterAll`/`finally`
 * (it removes its store). Needs `@baton/engine` installed (an optional peer dependency).
 */
export class BatonTestKit {
  readonly client: BatonClient;
  private readonly workers = new Set<BatonWorker>();
  private closing: Promise<void> | undefined;
  private runs = 0;

  private constructor(
    private readonly engine: RunningEngine,
    private readonly dataDir: string,
    readonly clock: TestClock,
    readonly url: string,
    private readonly logger: Logger | undefined,
  ) {
    this.client = new BatonClient({ serverUrl: url, ...(logger ? { logger } : {}) });
  }

  static async start(options: TestKitOptions = {}): Promise<BatonTestKit> {
    const engineModule = await loadEngine();
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-testkit-'));
    try {
      const clock = new TestClock();
      const env: Record<string, string> = {
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.LOG_LEVEL ?? options.logLevel ?? 'silent',
        ...options.env,
        // The kit's own store, whatever the environment says (a MONGODB_URI of the test runner's).
        MONGODB_URI: '',
        BATON_DATA_DIR: dataDir,
      };
      const config = engineModule.loadConfig([], env) as never;
      const engine = await engineModule.startServer(config, { clock });
      return new BatonTestKit(engine, dataDir, clock, `http://127.0.0.1:${engine.port}`, options.logger);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Moves the engine's clock ahead and lets it act on what became due (retry delays, lapsed
   * leases and timeouts, WAIT timers), then resolves.
   */
  async advance(ms: number): Promise<void> {
    this.live();
    this.clock.skip(ms);
    await this.engine.sweeper.sweep();
  }

  /** A worker connected to this engine; started by you, stopped by close() at the latest. */
  worker(options: Omit<BatonWorkerOptions, 'serverUrl'> = {}): BatonWorker {
    this.live();
    const worker = new BatonWorker({
      pollTimeoutMs: 250,
      ...(this.logger ? { logger: this.logger } : {}),
      ...options,
      serverUrl: this.url,
    });
    this.workers.add(worker);
    return worker;
  }

  /**
   * Runs one handler on one input, as a workflow of one step would: registers its task definition
   * (a typed handler's with its schemas, so the engine enforces them), starts a worker for it,
   * waits for the step to end (after its retries), and answers what happened.
   */
  async runTask<I extends TSchema, O extends TSchema>(
    registration: TypedTaskRegistration<I, O>,
    input: JsonObject,
    options?: RunTaskOptions,
  ): Promise<TaskRun>;
  async runTask<I, O>(registration: TaskRegistration<I, O>, input: JsonObject, options?: RunTaskOptions): Promise<TaskRun>;
  async runTask(
    registration: TaskRegistration<unknown, unknown> | TypedTaskRegistration<TSchema, TSchema>,
    input: JsonObject,
    options: RunTaskOptions = {},
  ): Promise<TaskRun> {
    this.live();
    const { taskType } = registration;
    const typed = isTypedRegistration(registration);
    await this.client.registerTaskDefs([
      typed ? taskDefOf(registration) : { retryCount: 0, responseTimeoutSeconds: 60, ...options.taskDef, name: taskType },
    ]);
    const name = `testkit_${taskType}_${++this.runs}`;
    await this.client.registerWorkflowDef(
      {
        name,
        version: 1,
        tasks: [{ name: taskType, taskReferenceName: 'step', type: 'SIMPLE', inputParameters: { ...asParameters(input) } }],
        outputParameters: { output: '${step.output}' },
      },
      { overwrite: true },
    );
    const worker = this.worker();
    if (typed) worker.register({ ...registration, taskDef: false });
    else worker.register(registration as TaskRegistration<unknown, unknown>);
    await worker.start();
    try {
      const workflowId = await this.client.startWorkflow(name, {});
      const workflow = await this.client.waitForWorkflow(workflowId, { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 50 });
      const attempts = workflow.tasks.filter((t) => t.referenceTaskName === 'step');
      const last = attempts.at(-1);
      return {
        status: last?.status ?? 'NOT_SCHEDULED',
        output: last?.outputData ?? {},
        reason: last?.reasonForIncompletion || undefined,
        attempts,
        workflow,
      };
    } finally {
      await worker.stop();
      this.workers.delete(worker);
    }
  }

  /** Stops the kit's workers, the engine and its HTTP server, and removes the store. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await Promise.all([...this.workers].map((w) => w.stop()));
        this.workers.clear();
        await this.engine.close();
      } finally {
        rmSync(this.dataDir, { recursive: true, force: true });
      }
    })();
    return this.closing;
  }

  /** The folder of the kit's store (removed by close()). */
  get storeDir(): string {
    return this.dataDir;
  }

  private live(): void {
    if (this.closing) throw new IllegalStateError('the test kit is closed');
  }
}

/**
 * The input as literal inputParameters: a string holding `${` would be read as an expression, so
 * such strings are escaped the way the engine reads them (`$${`).
 */
function asParameters(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? v.replace(/\$\{/g, '$${') : v)) as JsonObject;
}
