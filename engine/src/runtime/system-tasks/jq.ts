import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { JQ_QUEUE } from '../../decider/operators/json-jq';
import type { JsonObject, TaskRecord } from '../../domain/records';
import type { Engine } from '../engine';
import { EncodedMask } from './jq-encoded';
import type { JqReply, JqRequest } from './jq-worker';
import { QueueRunner, type TaskOutcome } from './queue-runner';

/** A query past this limit is killed with its thread (measured from when the thread takes it, not from the queue). */
const JQ_TIMEOUT_MS = 5000;
/** Heap limit of a jq thread (the WebAssembly memory of jq itself is bounded by its build, which aborts past it). */
const JQ_HEAP_MB = 64;
/** Largest result kept (the compact JSON of every value): a bigger one fails the task, not the store. */
const JQ_MAX_RESULT_CHARS = 4 * 1024 * 1024;
/** jq threads at most, hence queries at once. */
export const JQ_THREADS = 4;

/**
 * JSON_JQ_TRANSFORM, run by the engine from its internal queue (jq-wasm's API is async, so it
 * cannot run inside the synchronous decider). inputParameters.queryExpression is applied to the
 * other inputParameters; output {result: the first value, resultList: every value}. A query that
 * does not compile or fails at run time fails the attempt (FAILED) with jq's message.
 */
export class JqRunner extends QueueRunner {
  private readonly jq: JqPool;
  /** `jq`: the engine's pool, shared with workflow queries (runtime/reactions/queries.ts). */
  constructor(engine: Engine, log: Logger, workerId: string, jq: JqPool = new JqPool(JQ_THREADS)) {
    super(engine, log, { queue: JQ_QUEUE, concurrency: JQ_THREADS, workerId, execute: (t) => runJqTask(jq, t) });
    this.jq = jq;
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.jq.close();
  }
}

export async function runJqTask(jq: JqPool, t: TaskRecord): Promise<TaskOutcome> {
  const { queryExpression, ...input } = t.inputData;
  if (typeof queryExpression !== 'string' || queryExpression.trim() === '') {
    return {
      status: 'FAILED_WITH_TERMINAL_ERROR',
      output: {},
      reason: "JSON_JQ_TRANSFORM needs a non-empty 'queryExpression' in its input parameters",
    };
  }
  try {
    const resultList = await jq.run(input, queryExpression);
    return { status: 'COMPLETED', output: { result: resultList[0] ?? null, resultList }, reason: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'FAILED', output: { error: message }, reason: message };
  }
}

interface Job {
  input: JsonObject;
  query: string;
  resolve: (v: unknown[]) => void;
  reject: (e: Error) => void;
}

/** One thread and the query it runs, if any. */
interface Slot {
  worker: Worker | null;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

/**
 * jq threads, each running one query at a time. A query that runs past its time limit, breaks its
 * WebAssembly instance or exhausts its thread's heap takes only its own thread down: the other
 * queries, running on other threads or waiting in the queue, go on (a jq bomb fails its own task
 * only). Threads start on demand and are replaced after a kill.
 */
export class JqPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private seq = 0;
  private closed = false;
  /** Threads that died before they were ready, in a row: past a few, queries fail instead of respawning forever. */
  private failedStarts = 0;

  constructor(size: number) {
    this.slots = Array.from({ length: size }, () => ({ worker: null, ready: false, job: null, timer: null }));
  }

  run(input: JsonObject, query: string): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new Error('the jq pool is closed'));
    const encoded = new EncodedMask(input);
    return new Promise<unknown[]>((resolve, reject) => {
      this.queue.push({ input: encoded.input as JsonObject, query, resolve, reject });
      this.dispatch();
    }).then(
      (values) => encoded.restore(values),
      (err: unknown) => {
        throw err instanceof Error ? encoded.explain(err) : err;
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('the engine is stopping'));
    await Promise.all(this.slots.map((s) => this.discard(s, new Error('the engine is stopping'))));
  }

  /** Hands waiting queries to idle ready threads, starting threads as needed. */
  private dispatch(): void {
    if (this.failedStarts >= 3) {
      this.failedStarts = 0;
      for (const j of this.queue.splice(0)) j.reject(new Error('the jq thread could not start'));
      return;
    }
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      if (!slot.worker) this.spawn(slot);
      if (!slot.ready) continue;
      const job = this.queue.shift();
      if (job) this.start(slot, job);
    }
  }

  private start(slot: Slot, job: Job): void {
    const w = slot.worker;
    if (!w) return;
    slot.job = job;
    w.ref();
    slot.timer = setTimeout(
      () => void this.discard(slot, new Error(`jq query ran past ${JQ_TIMEOUT_MS} ms and was stopped`)),
      JQ_TIMEOUT_MS,
    );
    w.postMessage({ id: ++this.seq, input: job.input, query: job.query } satisfies JqRequest);
  }

  private spawn(slot: Slot): void {
    const w = new Worker(workerFile(), { resourceLimits: { maxOldGenerationSizeMb: JQ_HEAP_MB } });
    slot.worker = w;
    slot.ready = false;
    w.on('message', (m: JqReply) => {
      if (slot.worker !== w) return;
      if ('ready' in m) {
        slot.ready = true;
        this.failedStarts = 0;
        this.dispatch();
        if (!slot.job) w.unref();
        return;
      }
      const job = this.finish(slot);
      if (!job) return;
      if (m.ok) {
        if (m.lines.length > JQ_MAX_RESULT_CHARS) job.reject(new Error(`jq result is larger than ${JQ_MAX_RESULT_CHARS} characters`));
        else job.resolve(parseLines(m.lines));
      } else {
        job.reject(new Error(m.fatal ? `jq failed and was stopped (out of memory?): ${clean(m.error)}` : clean(m.error)));
        if (m.fatal) void this.discard(slot, null);
      }
      this.dispatch();
    });
    w.on('error', (err) => void this.discard(slot, new Error(`the jq thread failed: ${err.message}`), w));
    w.on('exit', () => void this.discard(slot, new Error('the jq thread exited'), w));
    // A thread holds the process while it starts and while it runs a query, never when idle
    // (ready without a job: unref there and in finish; start refs it again).
  }

  private finish(slot: Slot): Job | null {
    const job = slot.job;
    slot.job = null;
    slot.worker?.unref();
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    return job;
  }

  /** Ends the slot's thread; its query (only its own) fails with `err`. `only`: act only if that thread is still the slot's. */
  private async discard(slot: Slot, err: Error | null, only?: Worker): Promise<void> {
    const w = slot.worker;
    if (!w || (only && only !== w)) return;
    if (!slot.ready) this.failedStarts++;
    slot.worker = null;
    slot.ready = false;
    const job = this.finish(slot);
    if (job && err) job.reject(err);
    if (!this.closed) this.dispatch();
    await w.terminate().catch(() => undefined);
  }
}

function clean(message: string): string {
  return message.replace(/^Failed to execute raw query: /, '').trim();
}

function parseLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** The compiled thread script: beside this file when running from dist, else in dist (tests run the sources). */
function workerFile(): string {
  const sibling = join(__dirname, 'jq-worker.js');
  if (existsSync(sibling)) return sibling;
  return join(__dirname, '../../../dist/runtime/system-tasks/jq-worker.js');
}
