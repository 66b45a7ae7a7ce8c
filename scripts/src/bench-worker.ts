import { BatonWorker } from '@baton/workers-sdk';

/** One benchmark worker process: completes every task of its type at once. */
const [serverUrl, taskType, concurrency, workerId, mode] = process.argv.slice(2);
if (!serverUrl || !taskType) throw new Error('usage: bench-worker URL TASK_TYPE [CONCURRENCY] [WORKER_ID]');
// mode 'batch': report and poll separately (batch polls), as Conductor's clients do.
const worker = new BatonWorker({
  serverUrl,
  workerId: workerId ?? `bench-${process.pid}`,
  pollTimeoutMs: 1000,
  reportAndPoll: mode !== 'batch',
});
worker.register<{ i: number }, { i: number }>({
  taskType,
  concurrency: Number(concurrency ?? 20),
  handler: async (input) => ({ i: (input.i ?? 0) + 1 }),
});
void worker.start().then(() => process.stdout.write('READY\n'));
// The harness waits for this process to end: exit as soon as the worker has stopped.
worker.stopOnSignals(['SIGTERM', 'SIGINT'], (error) => process.exit(error === undefined ? 0 : 1));
