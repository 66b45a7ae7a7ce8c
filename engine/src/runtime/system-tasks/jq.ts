import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { JQ_QUEUE } from '../../decider/operators/json-jq';
import type { JsonObject, TaskRecord } from '../../domain/records';
import type { Engine } from '../engine';
import type { JqReply, JqRequest } from './jq-worker';
import { QueueRunner, type TaskOutcome } from './queue-runner';

/** jq runs in its own thread; a query past this limit is killed with its thread (the first query also loads the module). */
const JQ_TIMEOUT_MS = 5000;
/** Heap limit of the jq thread (the WebAssembly memory of jq itself is bounded by its build). */
const JQ_HEAP_MB = 64;

/**
 * JSON_JQ_TRANSFORM, run by the engine from its internal queue (jq-wasm's API is async, so it
 * cannot run inside the synchronous decider). inputParameters.queryExpression is applied to the
 * other inputParameters; output {result: the first value, resultList: every value}. A query that
 * does not compile or fails at run time fails the attempt (FAILED) with jq's message.
 */
export class JqRunner extends QueueRunner {
  private readonly jq: JqThread;
  constructor(engine: Engine, log: Logger, workerId: string) {
    const jq = new JqThread();
    super(engine, log, { queue: JQ_QUEUE, concurrency: 4, workerId, execute: (t) => runJqTask(jq, t) });
    this.jq = jq;
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.jq.close();
  }
}

export async function runJqTask(jq: JqThread, t: TaskRecord): Promise<TaskOutcome> {
  const { queryExpression, ...input } = t.inputData;
  if (typeof queryExpression !== 'string' || queryExpression.trim() === '') {
    return { status: 'FAILED_WITH_TERMINAL_ERROR', output: {}, reason: "JSON_JQ_TRANSFORM needs a non-empty 'queryExpression' in its input parameters" };
  }
  try {
    const resultList = await jq.run(input, queryExpression);
    return { status: 'COMPLETED', output: { result: resultList[0] ?? null, resultList }, reason: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'FAILED', output: { error: message }, reason: message };
  }
}

/** One jq thread, spawned on first use and replaced after a timeout. */
export class JqThread {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  run(input: JsonObject, query: string): Promise<unknown[]> {
    const w = this.ensure();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.kill(new Error(`jq query ran past ${JQ_TIMEOUT_MS} ms and was stopped`)), JQ_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      w.postMessage({ id, input, query } satisfies JqRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerFile(), { resourceLimits: { maxOldGenerationSizeMb: JQ_HEAP_MB } });
    w.unref();
    w.on('message', (m: JqReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(parseLines(m.lines));
      else p.reject(new Error(m.error.replace(/^Failed to execute raw query: /, '').trim()));
    });
    w.on('error', (err) => this.kill(err));
    w.on('exit', () => {
      if (this.worker === w) this.kill(new Error('the jq thread exited'));
    });
    this.worker = w;
    return w;
  }

  private kill(err: Error): void {
    const w = this.worker;
    this.worker = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
    void w?.terminate();
  }
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
