import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { BatonWorker, TerminalError, inProgress } from '../src';
import type { TaskContext } from '../src';
import { FakeBatonServer, eventually, gate } from './support/fake-baton-server';
import { memoryLogger } from './support/memory-logger';

const fastRetry = { minTimeoutMs: 10, maxTimeoutMs: 50 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatonWorker polling', () => {
  let server: FakeBatonServer;
  let worker: BatonWorker | undefined;

  beforeEach(async () => {
    server = await new FakeBatonServer().listen();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await server.close();
  });

  it('asks for as many tasks as it has free slots and never runs more than `concurrency` at once', async () => {
    const gates = new Map<string, () => void>();
    let releaseAll = false;
    let running = 0;
    let maxRunning = 0;
    const taskIds = [1, 2, 3, 4, 5].map((n) => server.enqueue('calculate_tax', { n }));

    worker = new BatonWorker({ serverUrl: server.url, workerId: 'w1', pollTimeoutMs: 200, retry: fastRetry });
    worker.register<{ n: number }, { doubled: number }>({
      taskType: 'calculate_tax',
      concurrency: 3,
      handler: async (input, ctx) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        const held = gate();
        gates.set(ctx.taskId, held.open);
        if (releaseAll) held.open();
        await held.promise;
        running -= 1;
        return { doubled: input.n * 2 };
      },
    });
    await worker.start();

    await eventually(() => running === 3, 4_000, 'three handlers running');
    // Longer than a poll's wait: a worker with no free slot must not poll at all.
    await sleep(300);
    expect(server.polls.map((poll) => poll.count)).toEqual([3]);
    expect(server.polls[0]?.workerId).toBe('w1');

    gates.get(taskIds[0] as string)?.();
    await eventually(() => server.polls.length === 2, 4_000, 'a poll for the freed slot');
    expect(server.polls[1]?.count).toBe(1);

    releaseAll = true;
    for (const open of gates.values()) open();
    await eventually(() => taskIds.every((id) => server.task(id).status === 'COMPLETED'), 4_000, 'all tasks completed');

    expect(maxRunning).toBe(3);
    for (const poll of server.polls) expect(poll.count).toBeLessThanOrEqual(3);
    expect(taskIds.map((id) => server.task(id).outputData)).toEqual([2, 4, 6, 8, 10].map((doubled) => ({ doubled })));
  });

  it('tolerates 204 answers to empty polls', async () => {
    await server.close();
    server = await new FakeBatonServer({ emptyPollStatus: 204 }).listen();
    worker = new BatonWorker({ serverUrl: server.url, pollTimeoutMs: 50, retry: fastRetry });
    worker.register({ taskType: 'echo', handler: (input) => input });
    await worker.start();

    await eventually(() => server.polls.filter((poll) => poll.returned === 0).length >= 2, 4_000, 'two empty polls');
    const taskId = server.enqueue('echo', { hello: 'world' });
    await eventually(() => server.task(taskId).status === 'COMPLETED', 4_000, 'task completed');
    expect(server.task(taskId).outputData).toEqual({ hello: 'world' });
  });

  it('pauses between empty answers from a server that does not hold polls', async () => {
    await server.close();
    server = await new FakeBatonServer({ ignorePollTimeout: true }).listen();
    worker = new BatonWorker({ serverUrl: server.url, pollTimeoutMs: 1_000, retry: fastRetry });
    worker.register({ taskType: 'echo', handler: (input) => input });
    await worker.start();
    await sleep(500);
    // A hot loop would send hundreds; the floor between empty polls allows about three here.
    expect(server.polls.length).toBeGreaterThanOrEqual(2);
    expect(server.polls.length).toBeLessThanOrEqual(8);
  });

  it('backs off after failed polls and keeps polling', async () => {
    server.injectFaults(
      'poll',
      Array.from({ length: 100 }, () => 500),
    );
    const logger = memoryLogger();
    worker = new BatonWorker({
      serverUrl: server.url,
      pollTimeoutMs: 100,
      pollErrorBackoff: { initialMs: 100, maxMs: 200 },
      retry: fastRetry,
      logger,
    });
    worker.register({ taskType: 'echo', handler: (input) => input });
    await worker.start();
    await sleep(500);
    // Waits of 100, 200, 200 ms fit about four polls; a hot loop would send hundreds.
    expect(server.polls.length).toBeGreaterThanOrEqual(2);
    expect(server.polls.length).toBeLessThanOrEqual(10);
    expect(logger.at('warn').some((line) => line.msg === 'poll failed')).toBe(true);
  });
});

describe('BatonWorker on connection errors', () => {
  let resetter: Server;
  let connections = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts and drops every connection: each poll fails with a network error.
    resetter = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => resetter.close(resolve));
  });

  it('backs off instead of reconnecting in a loop', async () => {
    const { port } = resetter.address() as AddressInfo;
    const worker = new BatonWorker({
      serverUrl: `http://127.0.0.1:${port}`,
      pollErrorBackoff: { initialMs: 100, maxMs: 400 },
      retry: fastRetry,
    });
    worker.register({ taskType: 'echo', handler: (input) => input });
    await worker.start();
    await sleep(500);
    await worker.stop();
    // Waits of 100, 200, 400 ms fit about three tries; a hot loop would make hundreds.
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(connections).toBeLessThanOrEqual(8);
  });
});

describe('BatonWorker task outcomes', () => {
  let server: FakeBatonServer;
  let worker: BatonWorker;
  let contexts: TaskContext[];

  beforeAll(async () => {
    server = await new FakeBatonServer().listen();
    contexts = [];
    worker = new BatonWorker({ serverUrl: server.url, workerId: 'outcomes', pollTimeoutMs: 100, retry: fastRetry });
    worker.register<{ kind: string }, unknown>({
      taskType: 'outcome',
      concurrency: 4,
      handler: (input, ctx) => {
        contexts.push(ctx);
        switch (input.kind) {
          case 'error':
            throw new Error('tax table unavailable');
          case 'terminal':
            throw new TerminalError('country not supported', { output: { country: 'XX' } });
          case 'scalar':
            return 42;
          case 'progress':
            return inProgress({ callbackAfterSeconds: 30, output: { page: 1 } });
          default:
            return Promise.resolve({ ok: true });
        }
      },
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await server.close();
  });

  async function run(kind: string): Promise<{ taskId: string; report: Record<string, unknown> }> {
    const taskId = server.enqueue('outcome', { kind });
    await eventually(() => server.reportsFor(taskId).length > 0, 4_000, `report of ${kind}`);
    const report = server.reportsFor(taskId)[0]?.body ?? {};
    return { taskId, report };
  }

  it('reports a returned object as COMPLETED, with the attempt token and worker id', async () => {
    const { taskId, report } = await run('object');
    expect(report).toMatchObject({
      taskId,
      workflowInstanceId: server.task(taskId).workflowInstanceId,
      workerId: 'outcomes',
      status: 'COMPLETED',
      outputData: { ok: true },
      attemptToken: server.task(taskId).attemptToken,
    });
    const ctx = contexts.find((c) => c.taskId === taskId);
    expect(ctx).toMatchObject({ taskType: 'outcome', referenceTaskName: 'outcome_ref', retryCount: 0, pollCount: 1 });
    expect(ctx?.attemptToken).toBe(server.task(taskId).attemptToken);
  });

  it('reports a thrown error as FAILED with its message', async () => {
    const { taskId, report } = await run('error');
    expect(report).toMatchObject({ status: 'FAILED', reasonForIncompletion: 'tax table unavailable' });
    expect(server.task(taskId).status).toBe('FAILED');
  });

  it('reports TerminalError as FAILED_WITH_TERMINAL_ERROR', async () => {
    const { taskId, report } = await run('terminal');
    expect(report).toMatchObject({
      status: 'FAILED_WITH_TERMINAL_ERROR',
      reasonForIncompletion: 'country not supported',
      outputData: { country: 'XX' },
    });
    expect(server.task(taskId).status).toBe('FAILED_WITH_TERMINAL_ERROR');
  });

  it('wraps a value that is not an object as {result}', async () => {
    const { report } = await run('scalar');
    expect(report).toMatchObject({ status: 'COMPLETED', outputData: { result: 42 } });
  });

  it('reports inProgress() as IN_PROGRESS with callbackAfterSeconds', async () => {
    const { taskId, report } = await run('progress');
    expect(report).toMatchObject({ status: 'IN_PROGRESS', callbackAfterSeconds: 30, outputData: { page: 1 } });
    expect(server.task(taskId).status).toBe('SCHEDULED');
  });
});
