import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Json } from '../domain/records';
import type { EvalReply, EvalRequest, ReadyMessage } from './protocol';
import { memoryLimitMessage, timeLimitMessage, type ScriptLimits, type ScriptRequest, type ScriptResult } from './types';

export interface ScriptPoolOptions extends ScriptLimits {
  /** Worker threads evaluating scripts at once. */
  threads: number;
}

/** How long a (re)started thread may take to load QuickJS and calibrate (measured: 60-120 ms). */
const BOOT_TIMEOUT_MS = 15_000;

interface Job {
  req: ScriptRequest;
  /** Who asked (a workflow id): the queue serves askers in turn. */
  owner: string;
  resolve: (r: ScriptResult) => void;
}

/**
 * User scripts (INLINE, SWITCH and DO_WHILE conditions) run here, on worker threads, and are
 * awaited: the engine's event loop never waits for a script (docs/architecture.md). Each thread
 * runs one script at a time under its limits (evaluate.ts); the pool adds a hard deadline for
 * what QuickJS cannot interrupt (a catastrophic regular expression), terminating the thread and
 * starting another. Waiting scripts are served one asker at a time, in turn, so a workflow with
 * many slow scripts cannot keep another's single script waiting behind all of them.
 */
export class ScriptPool {
  private readonly idle: Thread[] = [];
  private readonly all = new Set<Thread>();
  private readonly queues = new Map<string, Job[]>();
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  private closed = false;
  /** Scripts run and time spent, for metrics. */
  readonly stats = { evaluations: 0, killed: 0, busyMs: 0 };

  constructor(private readonly options: ScriptPoolOptions) {}

  async start(): Promise<void> {
    const threads = await Promise.all(Array.from({ length: this.options.threads }, () => Thread.spawn()));
    for (const t of threads) this.adopt(t);
  }

  /** Evaluates one script; never rejects (a failure is a ScriptResult with ok: false). */
  evaluate(req: ScriptRequest, owner = ''): Promise<ScriptResult> {
    if (this.closed) return Promise.resolve({ ok: false, error: 'the script sandbox is shut down' });
    return new Promise<ScriptResult>((resolve) => {
      const q = this.queues.get(owner);
      if (q) q.push({ req, owner, resolve });
      else this.queues.set(owner, [{ req, owner, resolve }]);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queues.values()) for (const job of q) job.resolve({ ok: false, error: 'the script sandbox is shut down' });
    this.queues.clear();
    await Promise.all([...this.all].map((t) => t.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private adopt(t: Thread): void {
    this.all.add(t);
    this.idle.push(t);
  }

  /** The next job: the oldest script of the waiting asker served longest ago (or never). */
  private next(): Job | undefined {
    let pick: string | undefined;
    let pickServed = Infinity;
    for (const owner of this.queues.keys()) {
      const served = this.lastServed.get(owner) ?? -1;
      if (served < pickServed) {
        pick = owner;
        pickServed = served;
      }
    }
    if (pick === undefined) return undefined;
    const q = this.queues.get(pick) as Job[];
    const job = q.shift();
    if (q.length === 0) this.queues.delete(pick);
    this.lastServed.set(pick, this.served++);
    if (this.lastServed.size > 10_000) this.forgetServed();
    return job;
  }

  /** Keeps the served-order map small: askers with nothing waiting start afresh. */
  private forgetServed(): void {
    for (const owner of this.lastServed.keys()) if (!this.queues.has(owner)) this.lastServed.delete(owner);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queues.size > 0) {
      const thread = this.idle.pop() as Thread;
      const job = this.next();
      if (!job) {
        this.idle.push(thread);
        return;
      }
      void this.run(thread, job);
    }
  }

  private async run(thread: Thread, job: Job): Promise<void> {
    const { timeoutMs, memoryMb } = this.options;
    const started = performance.now();
    // Hard deadline for what QuickJS cannot interrupt. Generous, because it is wall-clock time
    // and the thread may be starved of CPU; the script's own limit is enforced inside.
    const hardMs = Math.max(1000, timeoutMs * 10);
    const reply = await thread.call(
      {
        script: job.req.script,
        bindingsJson: job.req.bindingsJson,
        names: job.req.names,
        now: job.req.now,
        timeoutMs,
        memoryBytes: memoryMb * 1024 * 1024,
        minWorkMs: timeoutMs / 2,
      },
      hardMs,
    );
    this.stats.evaluations++;
    this.stats.busyMs += performance.now() - started;
    job.resolve(resultOf(reply, this.options));
    if (reply === 'killed' || reply === 'lost' || reply.fatal) {
      if (reply === 'killed') this.stats.killed++;
      this.all.delete(thread);
      void thread.terminate();
      if (!this.closed) this.replace();
    } else if (!this.closed) {
      this.idle.push(thread);
    }
    this.dispatch();
  }

  private replace(): void {
    Thread.spawn().then(
      (t) => {
        if (this.closed) void t.terminate();
        else {
          this.adopt(t);
          this.dispatch();
        }
      },
      // A thread that cannot start now is retried with the next script; until then fewer run.
      () => setTimeout(() => !this.closed && this.replace(), 1000).unref(),
    );
  }
}

function resultOf(reply: EvalReply | 'killed' | 'lost', limits: ScriptLimits): ScriptResult {
  if (reply === 'killed') return { ok: false, error: timeLimitMessage(limits) };
  if (reply === 'lost') return { ok: false, error: 'the script sandbox thread stopped unexpectedly' };
  if (reply.ok) {
    try {
      return { ok: true, value: JSON.parse(reply.valueJson) as Json };
    } catch (err) {
      return { ok: false, error: `script result is not JSON: ${String(err)}` };
    }
  }
  if (reply.kind === 'timeout') return { ok: false, error: timeLimitMessage(limits) };
  if (reply.kind === 'memory') return { ok: false, error: memoryLimitMessage(limits) };
  return { ok: false, error: reply.error };
}

/** One worker thread with at most one request in flight. */
class Thread {
  private nextId = 1;
  private pending: { id: number; resolve: (r: EvalReply | 'killed' | 'lost') => void; timer: NodeJS.Timeout } | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: EvalReply) => {
      const p = this.pending;
      if (!p || msg.id !== p.id) return;
      clearTimeout(p.timer);
      this.pending = null;
      this.worker.unref();
      p.resolve(msg);
    });
    worker.on('exit', () => this.fail('lost'));
    // A thread's own failures surface as replies or as its exit; nothing to rethrow here.
    worker.on('error', () => undefined);
    // A thread holds the process only while it has work (starting, or a script in flight): an
    // idle sandbox never keeps a test run or a stopping engine alive. Unref after the listeners,
    // since adding a 'message' listener refs the thread's port again.
    worker.unref();
  }

  static spawn(): Promise<Thread> {
    const worker = new Worker(workerFile());
    return new Promise<Thread>((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error('script sandbox thread did not start in time'));
      }, BOOT_TIMEOUT_MS);
      timer.unref();
      const onExit = (code: number): void => {
        clearTimeout(timer);
        reject(new Error(`script sandbox thread exited during start-up (code ${code})`));
      };
      worker.once('exit', onExit);
      worker.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      worker.once('message', (msg: ReadyMessage) => {
        clearTimeout(timer);
        worker.off('exit', onExit);
        if (msg.ready) resolve(new Thread(worker));
        else reject(new Error('unexpected first message from the sandbox thread'));
      });
    });
  }

  call(req: Omit<EvalRequest, 'id'>, hardMs: number): Promise<EvalReply | 'killed' | 'lost'> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fail('killed'), hardMs);
      this.pending = { id, resolve, timer };
      this.worker.ref();
      this.worker.postMessage({ ...req, id } satisfies EvalRequest);
    });
  }

  private fail(why: 'killed' | 'lost'): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = null;
    this.worker.unref();
    p.resolve(why);
  }

  async terminate(): Promise<void> {
    this.fail('lost');
    await this.worker.terminate().catch(() => undefined);
  }
}

/**
 * The compiled worker next to this file; when running from TypeScript sources (jest), the
 * engine's build output, since a worker thread cannot load TypeScript.
 */
function workerFile(): string {
  const sibling = join(__dirname, 'worker.js');
  if (existsSync(sibling)) return sibling;
  const built = join(__dirname, '../../dist/sandbox/worker.js');
  if (existsSync(built)) return built;
  throw new Error(`script sandbox worker not found at ${sibling} or ${built}: build the engine (npx tsc -b engine)`);
}
