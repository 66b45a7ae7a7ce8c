import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BatonClient } from '@baton/workers-sdk';
import { engineCpuSeconds, freePort, http, pct, sleep, startProcess, waitHealthy } from './bench-support';

/**
 * Throughput and latency benchmark: N workflows of K sequential SIMPLE steps, W worker processes
 * over HTTP, against a freshly started engine process (embedded store, or MongoDB with --mongodb).
 * Prints workflows/s, steps/s, and the latency from a step's report to the next step's dispatch.
 */
const { values: opt } = parseArgs({
  options: {
    workflows: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    mongodb: { type: 'boolean', default: false },
    /** Another engine build to measure (e.g. an older checkout's engine/dist/main.js), for before/after figures. */
    engine: { type: 'string' },
    /** Finished workflows to create before measuring (throughput as finished runs pile up). */
    prefill: { type: 'string', default: '0' },
    /** Workers report and batch-poll separately instead of reporting with update-v2. */
    'batch-poll': { type: 'boolean', default: false },
  },
});
const N = Number(opt.workflows);
const K = Number(opt.steps);
const W = Number(opt.workers);
const C = Number(opt.concurrency);
const root = join(__dirname, '../..');

async function main(): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  if (opt.mongodb) {
    if (!process.env.MONGODB_URI) throw new Error('--mongodb needs MONGODB_URI (node scripts/mongo-test-server.js prints one)');
    env.MONGODB_URI = process.env.MONGODB_URI;
    env.BATON_MONGODB_DB = `baton_bench_${Date.now()}`;
  } else {
    env.BATON_DATA_DIR = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  }
  const engine = await startProcess(opt.engine ?? join(root, 'engine/dist/main.js'), [], env, null);
  await waitHealthy(url);
  const workers: ChildProcess[] = [];
  try {
    await http(url, 'POST', '/api/metadata/taskdefs', [
      { name: 'bench_step', retryCount: 3, retryDelaySeconds: 1, responseTimeoutSeconds: 60 },
    ]);
    await http(url, 'POST', '/api/metadata/workflow', {
      name: 'bench',
      tasks: Array.from({ length: K }, (_, k) => ({
        name: 'bench_step',
        taskReferenceName: `s${k}`,
        inputParameters: { i: k === 0 ? '${workflow.input.i}' : `\${s${k - 1}.output.i}` },
      })),
      outputParameters: { i: `\${s${K - 1}.output.i}` },
    });
    for (let w = 0; w < W; w++) {
      workers.push(
        await startProcess(
          join(__dirname, 'bench-worker.js'),
          [url, 'bench_step', String(C), `bench-${w}`, opt['batch-poll'] ? 'batch' : 'chain'],
          {},
          'READY',
        ),
      );
    }
    const client = new BatonClient({ serverUrl: url });
    const prefill = Number(opt.prefill);
    if (prefill > 0) await runBatch(url, client, prefill, 'prefill');
    const commandsBefore = await storeCommands(url);
    const cpuBefore = await engineCpuSeconds(url);
    const t0 = Date.now();
    const ids: string[] = [];
    // Start in parallel batches: starting is part of the load, as in production.
    for (let i = 0; i < N; i += 50) {
      const batch = Array.from({ length: Math.min(50, N - i) }, (_, j) => client.startWorkflow('bench', { i: 0, n: i + j }));
      ids.push(...(await Promise.all(batch)));
    }
    const started = Date.now();
    await waitCompleted(url, ids);
    const elapsed = (Date.now() - t0) / 1000;
    const cpuAfter = await engineCpuSeconds(url);
    const commandsAfter = await storeCommands(url);

    // Latency from each step's report (endTime) to the next step's dispatch (startTime = claim),
    // and to its scheduling (the decision), from the engine's own timestamps.
    const dispatch: number[] = [];
    const decide: number[] = [];
    const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(N / 300)) === 0);
    for (const id of sample) {
      const wf = (await http(url, 'GET', `/api/workflow/${id}`)) as {
        tasks: Array<{ startTime: number; endTime: number; scheduledTime: number }>;
      };
      for (let k = 1; k < wf.tasks.length; k++) {
        const prev = wf.tasks[k - 1]!;
        const next = wf.tasks[k]!;
        dispatch.push(next.startTime - prev.endTime);
        decide.push(next.scheduledTime - prev.endTime);
      }
    }
    const steps = N * K;
    const lines = [
      `store=${opt.mongodb ? 'mongodb' : 'sqlite'} workflows=${N} steps/workflow=${K} workerProcesses=${W} concurrency/worker=${C} workers=${opt['batch-poll'] ? 'report + batch poll' : 'update-v2 (report and next task in one call)'}`,
      `elapsed ${elapsed.toFixed(2)} s (starting took ${((started - t0) / 1000).toFixed(2)} s)`,
      `workflows/s ${(N / elapsed).toFixed(1)}`,
      `steps/s ${(steps / elapsed).toFixed(1)}`,
      `report -> next dispatch: p50 ${pct(dispatch, 50)} ms, p99 ${pct(dispatch, 99)} ms (n=${dispatch.length})`,
      `report -> next scheduled (decide): p50 ${pct(decide, 50)} ms, p99 ${pct(decide, 99)} ms`,
      `engine CPU: ${(cpuAfter - cpuBefore).toFixed(2)} s in all, ${(((cpuAfter - cpuBefore) / steps) * 1000).toFixed(2)} s per 1,000 steps (incl. starts and this script's progress checks)`,
      ...(prefill > 0 ? [`measured after ${prefill} finished workflows were already in the store`] : []),
    ];
    if (commandsBefore !== null && commandsAfter !== null) {
      lines.push(
        `database commands: ${commandsAfter - commandsBefore} total, ${((commandsAfter - commandsBefore) / steps).toFixed(2)} per step (incl. starts, polls and the progress checks of this script)`,
      );
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const requests = [...metrics.matchAll(/^baton_http_requests_total\{route="([^"]+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`);
    lines.push(`HTTP requests: ${requests.join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    engine.kill('SIGTERM');
  }
}

/** Starts `n` workflows and waits for them to complete (the prefill of finished runs). */
async function runBatch(url: string, client: BatonClient, n: number, tag: string): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) => client.startWorkflow('bench', { i: 0, n: i + j, tag }));
    ids.push(...(await Promise.all(batch)));
  }
  await waitCompleted(url, ids);
}

/**
 * Waits until the given workflows completed, checking a few of them at a time (newest first: the
 * last to start finishes last), so the check itself costs the engine little.
 */
async function waitCompleted(url: string, ids: string[]): Promise<void> {
  let pending = [...ids].reverse();
  while (pending.length > 0) {
    const probe = pending.slice(0, 20);
    const done = await Promise.all(
      probe.map(async (id) => ((await http(url, 'GET', `/api/workflow/${id}?includeTasks=false`)) as { status: string }).status),
    );
    const failed = done.find((s) => s !== 'COMPLETED' && s !== 'RUNNING');
    if (failed) throw new Error(`a workflow ended ${failed}`);
    const finished = new Set(probe.filter((_, i) => done[i] === 'COMPLETED'));
    pending = pending.filter((id) => !finished.has(id));
    if (finished.size < probe.length) await sleep(100);
  }
}

async function storeCommands(url: string): Promise<number | null> {
  const res = await fetch(`${url}/metrics`);
  const m = /^baton_store_commands_total (\d+)/m.exec(await res.text());
  return m ? Number(m[1]) : null;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
