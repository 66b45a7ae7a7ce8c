import { BatonWorker, LeaseLostError } from '../src';
import { FakeBatonServer, eventually } from './support/fake-baton-server';
import { memoryLogger } from './support/memory-logger';

describe('BatonWorker leases', () => {
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

  function startWorker(handler: Parameters<BatonWorker['register']>[0]['handler'], logger = memoryLogger()): BatonWorker {
    const created = new BatonWorker({
      serverUrl: server.url,
      workerId: 'lease-worker',
      pollTimeoutMs: 100,
      retry: { minTimeoutMs: 10, maxTimeoutMs: 50 },
      logger,
    });
    created.register({ taskType: 'long_task', handler });
    void created.start();
    return created;
  }

  it('extends the lease while a long handler runs', async () => {
    // responseTimeoutSeconds 2: an extension after one second. The handler returns once it has
    // seen it, so the test takes a second whatever the machine's speed (the repetition every
    // interval is covered with fake timers in units.test.ts).
    const taskId = server.enqueue('long_task', {}, { responseTimeoutSeconds: 2 });
    worker = startWorker(async () => {
      await eventually(() => server.extensionsFor(taskId).length >= 1, 8_000, 'a lease extension');
      return { done: true };
    });

    await eventually(() => server.task(taskId).status === 'COMPLETED', 9_000, 'task completed');
    const token = server.task(taskId).attemptToken;
    const extensions = server.extensionsFor(taskId);
    expect(extensions.length).toBeGreaterThanOrEqual(1);
    for (const extension of extensions) {
      expect(extension.answer).toBe(200);
      expect(extension.body).toMatchObject({
        taskId,
        workflowInstanceId: server.task(taskId).workflowInstanceId,
        workerId: 'lease-worker',
        attemptToken: token,
        status: 'IN_PROGRESS',
        extendLease: true,
      });
    }
    expect(server.reportsFor(taskId).map((post) => post.body['status'])).toEqual(['COMPLETED']);
  }, 10_000);

  it('lets a handler extend its lease itself', async () => {
    const taskId = server.enqueue('long_task', {}, { responseTimeoutSeconds: 600 });
    worker = startWorker(async (_input, ctx) => {
      await ctx.extendLease();
      return {};
    });
    await eventually(() => server.task(taskId).status === 'COMPLETED', 4_000, 'task completed');
    expect(server.extensionsFor(taskId).map((post) => post.answer)).toEqual([200]);
  });

  it('aborts ctx.signal when an extension is refused, and drops the result', async () => {
    const logger = memoryLogger();
    let abortReason: unknown;
    let lateExtension: unknown;
    const taskId = server.enqueue('long_task', {}, { responseTimeoutSeconds: 2 });
    worker = startWorker(async (_input, ctx) => {
      // As if the lease had expired and the task had been claimed again by someone else.
      server.supersede(ctx.taskId);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      abortReason = ctx.signal.reason;
      lateExtension = await ctx.extendLease().catch((error: unknown) => error);
      return { tooLate: true };
    }, logger);

    await eventually(() => abortReason !== undefined, 6_000, 'ctx.signal aborted');
    expect(abortReason).toBeInstanceOf(LeaseLostError);
    expect(lateExtension).toBeInstanceOf(LeaseLostError);
    expect(server.extensionsFor(taskId).map((post) => post.answer)).toEqual([409]);
    await eventually(() => logger.at('warn').some((line) => /lease was lost/.test(line.msg ?? '')), 2_000, 'warn log');
    expect(server.reportsFor(taskId)).toEqual([]);
  });
});
