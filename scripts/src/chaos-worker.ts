import { appendFileSync } from 'node:fs';
import { BatonWorker } from '@baton/workers-sdk';

/**
 * One worker process of the chaos harness (chaos.ts): runs every step of the chaos flow, records
 * each side effect as one line appended to a shared file before answering, and, with probability
 * DIE_SHARE, dies (SIGKILL on itself) right after the side effect and before its report, so that
 * the attempt's lease lapses and the step is delivered again: the at-least-once path.
 *
 *   node scripts/dist/chaos-worker.js SERVER_URL EFFECTS_FILE DIE_SHARE TASK_TYPES(comma-separated)
 */
const [serverUrl, effectsFile, dieShare, types] = process.argv.slice(2);
if (!serverUrl || !effectsFile || !types) throw new Error('usage: chaos-worker SERVER_URL EFFECTS_FILE DIE_SHARE TASK_TYPES');
const die = Number(dieShare ?? 0);
const workerId = `chaos-${process.pid}`;
const worker = new BatonWorker({
  serverUrl,
  workerId,
  pollTimeoutMs: 1000,
  pollErrorBackoff: { initialMs: 100, maxMs: 1000 },
  retry: { retries: 30, minTimeoutMs: 100, maxTimeoutMs: 1000, maxRetryTimeMs: 60_000 },
});
for (const taskType of types.split(',')) {
  worker.register<{ n?: number }, { n: number }>({
    taskType,
    concurrency: 8,
    handler: async (input, ctx) => {
      // The side effect: one line per run of an attempt, written before the report (O_APPEND: whole lines).
      const line = {
        workflowId: ctx.workflowInstanceId,
        ref: ctx.referenceTaskName,
        taskId: ctx.taskId,
        retryCount: ctx.retryCount,
        pid: process.pid,
        at: Date.now(),
      };
      appendFileSync(effectsFile, `${JSON.stringify(line)}\n`);
      if (Math.random() < die) process.kill(process.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 20)));
      return { n: Number(input.n ?? 0) + 1 };
    },
  });
}
void worker.start().then(() => process.stdout.write('READY\n'));
// The harness waits for this process to end: exit as soon as the worker has stopped.
worker.stopOnSignals(['SIGTERM', 'SIGINT'], (error) => process.exit(error === undefined ? 0 : 1));
