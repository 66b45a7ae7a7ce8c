import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { SIGNAL_DONE, SIGNAL_READY, SIGNAL_SLOTS, type EvalReply, type EvalRequest, type WorkerData } from './protocol';

/** How long a (re)started worker may take to load QuickJS (measured: 20-60 ms). */
const BOOT_TIMEOUT_MS = 10_000;

/**
 * Runs scripts in a worker thread and waits for each answer synchronously (Atomics.wait), so the
 * decider can call it like a pure function. The worker enforces the script's limits itself; the
 * host's own deadline, twice the time limit plus 50 ms, catches what QuickJS cannot interrupt
 * (regular expression backtracking, long native calls): it terminates the worker, answers with
 * the time-limit error, and starts a fresh worker. One host serves every engine in the process.
 */
export class SandboxHost {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flags = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * 4));
  private nextId = 1;

  /** Starts the worker and waits for it without blocking the event loop (engine start-up). */
  async start(): Promise<void> {
    const worker = this.spawn();
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`script sandbox worker exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', () => {
        worker.off('exit', onExit);
        worker.off('error', reject);
        resolve();
      });
    });
  }

  /**
   * Sends one request and blocks until its reply or the hard deadline. Answers 'killed' when the
   * worker had to be terminated at the deadline, 'unavailable' when no worker could be started;
   * never throws.
   */
  call(req: Omit<EvalRequest, 'id'>): EvalReply | 'killed' | 'unavailable' {
    if (!this.ready() || !this.port) return 'unavailable';
    const { port, flags } = this;
    const id = this.nextId++;
    port.postMessage({ ...req, id } satisfies EvalRequest);
    const deadline = performance.now() + req.timeoutMs * 2 + 50;
    for (;;) {
      const done = Atomics.load(flags, SIGNAL_DONE);
      if (done === id) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        this.discard();
        return 'killed';
      }
      Atomics.wait(flags, SIGNAL_DONE, done, left);
    }
    let reply: EvalReply | null = null;
    // Replies to requests abandoned earlier cannot exist (their worker was discarded), but
    // draining to our own id costs nothing and keeps the channel honest.
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const msg = m.message as EvalReply;
      if (msg.id === id) {
        reply = msg;
        break;
      }
    }
    if (!reply || reply.fatal) this.discard();
    return reply ?? 'unavailable';
  }

  /** True when a worker is up, starting (and waiting for) one if needed. */
  private ready(): boolean {
    try {
      if (!this.worker) this.spawn();
      const deadline = performance.now() + BOOT_TIMEOUT_MS;
      while (Atomics.load(this.flags, SIGNAL_READY) !== 1) {
        const left = deadline - performance.now();
        if (left <= 0 || !this.worker) {
          this.discard();
          return false;
        }
        Atomics.wait(this.flags, SIGNAL_READY, 0, left);
      }
      return true;
    } catch {
      this.discard();
      return false;
    }
  }

  private spawn(): Worker {
    this.flags = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * 4));
    const { port1, port2 } = new MessageChannel();
    const data: WorkerData = { signal: this.flags.buffer as SharedArrayBuffer, port: port2 };
    const worker = new Worker(workerFile(), { workerData: data, transferList: [port2] });
    // The sandbox must never keep a process alive (tests, scripts, a stopping engine).
    worker.unref();
    port1.unref();
    worker.on('exit', () => {
      if (this.worker === worker) this.discard();
    });
    // A worker's own failures surface as replies or as its exit; nothing to rethrow here.
    worker.on('error', () => undefined);
    this.worker = worker;
    this.port = port1;
    return worker;
  }

  private discard(): void {
    const worker = this.worker;
    this.port?.close();
    this.worker = null;
    this.port = null;
    if (worker) void worker.terminate().catch(() => undefined);
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
