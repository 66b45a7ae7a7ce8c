import { BatonWorker } from '../src';
import { FakeBatonServer, eventually, gate } from './support/fake-baton-server';
import { memoryLogger } from './support/memory-logger';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatonWorker reports', () => {
  let server: FakeBatonServer;
  let worker: BatonWorker;
  let logger: ReturnType<typeof memoryLogger>;
  const holds = new Map<string, Promise<void>>();

  beforeEach(async () => {
    server = await new FakeBatonServer().listen();
    logger = memoryLogger();
    holds.clear();
    worker = new BatonWorker({
      serverUrl: server.url,
      pollTimeoutMs: 100,
      retry: { minTimeoutMs: 10, maxTimeoutMs: 50 },
      logger,
    });
    worker.register<{ value: number }, { value: number }>({
      taskType: 'report_me',
      concurrency: 2,
      handler: async (input, ctx) => {
        await holds.get(ctx.taskId);
        return { value: input.value };
      },
    });
    await worker.start();
  });
  afterEach(async () => {
    await worker.stop();
    await server.close();
  });

  it('retries a report after two 503s and succeeds', async () => {
    server.injectFaults('report', [503, 503]);
    const taskId = server.enqueue('report_me', { value: 7 });
    await eventually(() => server.task(taskId).status === 'COMPLETED', 4_000, 'task completed');
    expect(server.reportsFor(taskId).map((post) => post.answer)).toEqual([503, 503, 200]);
    expect(server.task(taskId).outputData).toEqual({ value: 7 });
    expect(logger.at('error')).toEqual([]);
  });

  it('retries a report after 429', async () => {
    server.injectFaults('report', [429]);
    const taskId = server.enqueue('report_me', { value: 1 });
    await eventually(() => server.task(taskId).status === 'COMPLETED', 4_000, 'task completed');
    expect(server.reportsFor(taskId).map((post) => post.answer)).toEqual([429, 200]);
  });

  it('drops a report answered 409 without retrying, and keeps working', async () => {
    const held = gate();
    const taskId = server.enqueue('report_me', { value: 1 });
    holds.set(taskId, held.promise);
    await eventually(() => server.task(taskId).status === 'IN_PROGRESS', 4_000, 'task claimed');
    // As if the lease had expired and another worker had claimed the task meanwhile.
    server.supersede(taskId);
    held.open();

    await eventually(() => server.reportsFor(taskId).length === 1, 4_000, 'the stale report');
    expect(server.reportsFor(taskId)[0]?.answer).toBe(409);
    await sleep(200); // many times the retry delay: a retry would have arrived by now
    expect(server.reportsFor(taskId)).toHaveLength(1);
    expect(logger.at('warn').some((line) => line.fields['taskId'] === taskId && /attempt expired or superseded/.test(line.msg ?? ''))).toBe(
      true,
    );
    expect(logger.at('error')).toEqual([]);

    const next = server.enqueue('report_me', { value: 2 });
    await eventually(() => server.task(next).status === 'COMPLETED', 4_000, 'next task completed');
  });

  it('drops a report answered 404 as stale', async () => {
    server.injectFaults('report', [404]);
    const taskId = server.enqueue('report_me', { value: 1 });
    await eventually(() => server.reportsFor(taskId).length === 1, 4_000, 'the report');
    await sleep(200);
    expect(server.reportsFor(taskId).map((post) => post.answer)).toEqual([404]);
    expect(logger.at('warn').some((line) => line.fields['taskId'] === taskId)).toBe(true);
  });

  it('never retries a 400 and logs it as an error', async () => {
    server.injectFaults('report', [400]);
    const taskId = server.enqueue('report_me', { value: 1 });
    await eventually(() => logger.at('error').length === 1, 4_000, 'the error log');
    await sleep(200);
    expect(server.reportsFor(taskId).map((post) => post.answer)).toEqual([400]);
    expect(logger.at('error')[0]?.fields).toMatchObject({ taskId, status: 'COMPLETED' });
  });
});

describe('BatonWorker against a server without update-v2', () => {
  it('falls back to POST /api/tasks after one 404 and stops asking', async () => {
    const server = await new FakeBatonServer().listen();
    const worker = new BatonWorker({ serverUrl: server.url, pollTimeoutMs: 100, retry: { minTimeoutMs: 10, maxTimeoutMs: 50 } });
    worker.register<{ value: number }, { value: number }>({
      taskType: 'old_server',
      concurrency: 1,
      handler: async (input) => ({ value: input.value }),
    });
    await worker.start();
    try {
      const ids = [1, 2, 3].map((value) => server.enqueue('old_server', { value }));
      await eventually(() => ids.every((id) => server.task(id).status === 'COMPLETED'), 4_000, 'tasks completed');
      expect(server.requests.filter((r) => r.path === '/api/tasks/update-v2')).toHaveLength(1);
      expect(ids.map((id) => server.reportsFor(id).map((post) => post.answer))).toEqual([[200], [200], [200]]);
    } finally {
      await worker.stop();
      await server.close();
    }
  });
});
