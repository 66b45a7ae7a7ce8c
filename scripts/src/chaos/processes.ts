import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const root = join(__dirname, '../../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A real engine process (engine/dist/main.js) on a fixed port, restarted on the same port after
 * it is killed. Counts the requests it answered 500 from its log (the error middleware logs
 * "unhandled error" for each), across restarts.
 */
export class EngineProc {
  private proc: ChildProcess | null = null;
  serverErrors = 0;
  logTail = '';
  starts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Starts the engine and resolves when /health answers; the time it took, in ms. */
  async start(): Promise<number> {
    const t0 = Date.now();
    const proc = spawn(process.execPath, [join(root, 'engine/dist/main.js')], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.starts++;
    const onData = (b: Buffer): void => {
      const text = b.toString();
      this.serverErrors += text.split('"msg":"unhandled error"').length - 1;
      this.logTail = (this.logTail + text).slice(-4000);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`engine ${this.name} exited while starting:\n${this.logTail}`);
      try {
        if ((await fetch(`${this.url}/health`)).ok) return Date.now() - t0;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - t0 > 120_000) throw new Error(`engine ${this.name} did not start in 120 s:\n${this.logTail}`);
      await sleep(50);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || !this.alive) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }
}

/** A worker process (chaos-worker.ts); `exited` tells whether it died (killed, or it killed itself mid-task). */
export class WorkerProc {
  private proc: ChildProcess | null = null;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly args: string[],
  ) {}

  get alive(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(): void {
    this.proc = spawn(process.execPath, [join(root, 'scripts/dist/chaos-worker.js'), ...this.args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.starts++;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || !this.alive) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }
}
