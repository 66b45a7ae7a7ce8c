import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '../../..');
const engineMain = join(repoRoot, 'engine/dist/main.js');

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

/** The built engine (`npm test` builds first) as a child process, for crash tests. */
export class EngineProcess {
  private proc: ChildProcess | null = null;
  output = '';

  constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn(process.execPath, [engineMain], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdout?.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (this.output += b.toString()));
    let exited: number | null | undefined;
    proc.once('exit', (code) => (exited = code));
    // Ready when it answers /health (log lines depend on LOG_LEVEL).
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited !== undefined) throw new Error(`engine exited with ${exited}:\n${this.output.slice(-3000)}`);
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`engine did not start in 60 s:\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The child's peak resident set (Linux: VmHWM of /proc/<pid>/status), in bytes; null elsewhere. */
  peakRssBytes(): number | null {
    const pid = this.proc?.pid;
    if (pid === undefined) return null;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** kill -9: no shutdown hook runs, nothing is flushed by the engine. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
    this.proc = null;
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A JSON (or text) REST call that throws on any non-2xx answer: for driving engines in e2e tests. */
export async function call(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
