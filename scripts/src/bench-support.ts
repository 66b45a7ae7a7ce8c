import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the benchmark scripts share: starting an engine and workers as processes, HTTP, metrics. */

export const root = join(__dirname, '../..');

export interface EngineUnderTest {
  url: string;
  process: ChildProcess;
  stop(): void;
}

/** Starts an engine process on a fresh embedded store (or MONGODB_URI's server with `mongodb`). */
export async function startEngine(
  opts: { mongodb?: boolean; engine?: string; env?: Record<string, string> } = {},
): Promise<EngineUnderTest> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...(opts.env ?? {}) };
  if (opts.mongodb) {
    if (!process.env.MONGODB_URI) throw new Error('--mongodb needs MONGODB_URI (node scripts/mongo-test-server.js prints one)');
    env.MONGODB_URI = process.env.MONGODB_URI;
    env.BATON_MONGODB_DB = `baton_bench_${Date.now()}`;
  } else {
    env.MONGODB_URI = '';
    env.BATON_DATA_DIR = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  }
  const p = await startProcess(opts.engine ?? join(root, 'engine/dist/main.js'), [], env, null);
  await waitHealthy(url);
  return { url, process: p, stop: () => p.kill('SIGTERM') };
}

/** Starts a benchmark worker process (bench-worker.ts) for a task type. */
export function startWorker(
  url: string,
  taskType: string,
  concurrency: number,
  id: string,
  mode: 'chain' | 'batch' = 'chain',
): Promise<ChildProcess> {
  return startProcess(join(__dirname, 'bench-worker.js'), [url, taskType, String(concurrency), id, mode], {}, 'READY');
}

/** Starts a node process; resolves when `ready` appears on its stdout (at once when null). */
export function startProcess(file: string, args: string[], env: Record<string, string>, ready: string | null): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the engine and workers.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const p = spawn(process.execPath, [...nodeArgs, file, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    if (ready === null) resolve(p);
    p.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (ready !== null && out.includes(ready)) resolve(p);
    });
    p.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${out.slice(-2000)}`)));
  });
}

export async function http(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`engine at ${url} did not become healthy`);
}

/** The engine process's CPU time so far (user + system), from its /metrics. */
export async function engineCpuSeconds(url: string): Promise<number> {
  const m = /^process_cpu_seconds_total (\S+)/m.exec(await metricsText(url));
  return m ? Number(m[1]) : NaN;
}

export async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** A histogram's cumulative bucket counts from /metrics, by upper bound. */
export function histogramBuckets(metrics: string, name: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`, 'gm'))) {
    out.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  return out;
}

/** The p-th percentile of what a histogram counted between two scrapes, as the upper bound of its bucket. */
export function histogramPercentile(before: Array<[number, number]>, after: Array<[number, number]>, p: number): number {
  const deltas = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as [number, number]);
  const total = deltas[deltas.length - 1]?.[1] ?? 0;
  if (total === 0) return NaN;
  const target = (p / 100) * total;
  for (const [le, n] of deltas) if (n >= target) return le;
  return Infinity;
}

export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
