import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, startServer } from '@baton/engine';
import { BatonClient, BatonWorker } from '@baton/workers-sdk';
import pino from 'pino';

/**
 * Invariant 6 (per-step cost does not grow with workflow length): one workflow whose DO_WHILE
 * runs `--iterations` iterations of one SIMPLE task, against an in-process engine (embedded
 * store) and one SDK worker. Prints the time per step over the first and the last 100
 * iterations: a whole cycle (worker report -> decision -> dispatch -> handler), measured at the
 * worker, and the decision alone (report -> next task scheduled), from the engine's timestamps.
 * The end must stay within 1.5x of the start.
 */
const { values: opt } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    window: { type: 'string', default: '100' },
  },
});
const N = Number(opt.iterations);
const WINDOW = Math.min(Number(opt.window), Math.floor(N / 2));
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig([], {
    PORT: '0',
    HOST: '127.0.0.1',
    BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-bench-loop-')),
    LOG_LEVEL: 'warn',
  });
  const running = await startServer(config, { log: pino({ level: 'warn' }) });
  const serverUrl = `http://127.0.0.1:${running.port}`;
  try {
    const client = new BatonClient({ serverUrl });
    await client.registerTaskDefs([{ name: 'loop_step', retryCount: 0, responseTimeoutSeconds: 60 }]);
    await client.registerWorkflowDef(
      {
        name: 'bench_loop',
        version: 1,
        tasks: [
          {
            name: 'loop',
            taskReferenceName: 'loop',
            type: 'DO_WHILE',
            inputParameters: { iterations: '${workflow.input.iterations}' },
            loopCondition: '$.loop.iteration < $.iterations',
            loopOver: [
              { name: 'loop_step', taskReferenceName: 'step', type: 'SIMPLE', inputParameters: { n: '${loop.output.iteration}' } },
            ],
          },
        ],
      },
      { overwrite: true },
    );

    const handled: number[] = [];
    const worker = new BatonWorker({ serverUrl, workerId: 'bench-loop', pollTimeoutMs: 200 });
    worker.register<{ n: number }, { n: number; payload: string }>({
      taskType: 'loop_step',
      concurrency: 1,
      handler: async ({ n }) => {
        handled.push(performance.now());
        // A small output per iteration: what the loop would accumulate without a bound.
        return { n, payload: 'x'.repeat(200) };
      },
    });
    await worker.start();
    const id = await client.startWorkflow('bench_loop', { iterations: N });
    // Without tasks while waiting: serialising thousands of task rows would stall the engine it measures.
    const ended = await client.waitForWorkflow(id, { timeoutMs: 30 * 60_000, intervalMs: 500, includeTasks: false });
    const wf = await client.getWorkflow(id, { includeTasks: true });
    await worker.stop();
    // Let the engine finish the long poll the worker abandoned before its store closes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (ended.status !== 'COMPLETED') throw new Error(`workflow ended ${ended.status}: ${ended.reasonForIncompletion ?? ''}`);

    const steps = (wf.tasks ?? []).filter((t) => t.taskType === 'loop_step').sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0));
    if (steps.length !== N || handled.length !== N)
      throw new Error(`expected ${N} iterations, got ${steps.length} tasks and ${handled.length} handler calls`);
    // Cycle k = handler call k - handler call k-1 (k >= 1): report, decide, commit, dispatch, poll.
    const cycles = handled.slice(1).map((t, i) => t - handled[i]!);
    const decisions = steps.slice(1).map((t, i) => (t.scheduledTime ?? 0) - (steps[i]!.endTime ?? 0));
    // Medians: on a shared machine, a few steps slowed by other processes must not decide the verdict.
    const median = (xs: number[]): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const window = (xs: number[]) => ({ median: median(xs), mean: mean(xs) });
    const first = { cycle: window(cycles.slice(0, WINDOW)), decide: window(decisions.slice(0, WINDOW)) };
    const last = { cycle: window(cycles.slice(-WINDOW)), decide: window(decisions.slice(-WINDOW)) };
    // The record every decision reads and writes (definition, state, variables): it must not grow.
    const record = JSON.stringify(await running.engine.store.getWorkflow(id));
    out(`DO_WHILE of ${N} iterations of one SIMPLE task (embedded store, in-process engine, 1 SDK worker)`);
    // The engine's timestamps are whole milliseconds: only the mean of the decision time says something.
    const show = (c: { median: number; mean: number }, d: { mean: number }): string =>
      `full cycle median ${c.median.toFixed(3)} ms (mean ${c.mean.toFixed(3)}); report -> next scheduled mean ${d.mean.toFixed(3)} ms`;
    out(`per step, first ${WINDOW} iterations: ${show(first.cycle, first.decide)}`);
    out(`per step, last ${WINDOW} iterations:  ${show(last.cycle, last.decide)}`);
    out(`ratio last/first (medians of the full cycle): ${(last.cycle.median / first.cycle.median).toFixed(2)}x (must be <= 1.5x)`);
    out(`stored workflow record after ${N} iterations: ${record.length} bytes (the loop output keeps the last 10 iterations)`);
    out(`total ${((handled[handled.length - 1]! - handled[0]!) / 1000).toFixed(1)} s`);
    if (last.cycle.median > first.cycle.median * 1.5) process.exitCode = 1;
  } finally {
    await running.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-loop failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
