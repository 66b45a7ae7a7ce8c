import { BatonWorker, IllegalStateError } from '../src';
import { FakeBatonServer, eventually, gate } from './support/fake-baton-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatonWorker.stop', () => {
  let server: FakeBatonServer;

  beforeEach(async () => {
    server = await new FakeBatonServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });

  it('aborts the open long poll, waits for the running handler and its report, and polls no more', async () => {
    const held = gate();
    let handlerStarted = false;
    const taskId = server.enqueue('slow', { n: 1 });
    // The poll wait is far longer than the test: stop() must abort it, not wait it out.
    const worker = new BatonWorker({ serverUrl: server.url, pollTimeoutMs: 30_000 });
    worker.register({
      taskType: 'slow',
      concurrency: 2,
      handler: async () => {
        handlerStarted = true;
        await held.promise;
        return { finished: true };
      },
    });
    await worker.start();
    // One slot busy, the other waiting in a long poll.
    await eventually(() => handlerStarted && server.openPolls === 1, 4_000, 'a running handler and an open poll');
    const pollsBeforeStop = server.polls.length;

    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await eventually(() => server.polls.at(-1)?.aborted === true, 4_000, 'the long poll aborted');
    await sleep(100);
    expect(stopped).toBe(false);
    expect(worker.state).toBe('stopping');
    expect(server.reportsFor(taskId)).toEqual([]);

    held.open();
    await stopping;
    expect(server.task(taskId).status).toBe('COMPLETED');
    expect(worker.state).toBe('stopped');
    await sleep(200);
    expect(server.polls.length).toBe(pollsBeforeStop);
  });

  it('stops on SIGTERM without ending the process itself, and leaves a second signal to Node', async () => {
    const held = gate();
    let handlerStarted = false;
    server.enqueue('slow');
    const worker = new BatonWorker({ serverUrl: server.url, pollTimeoutMs: 100 });
    worker.register({
      taskType: 'slow',
      handler: () => {
        handlerStarted = true;
        return held.promise;
      },
    });
    await worker.start();
    await eventually(() => handlerStarted, 4_000, 'handler started');

    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const before = new Set(process.listeners('SIGTERM'));
    const stopped: unknown[] = [];
    const removeListeners = worker.stopOnSignals(['SIGTERM'], (error) => stopped.push(error ?? 'clean'));
    try {
      const listener = process.listeners('SIGTERM').find((candidate) => !before.has(candidate));
      expect(listener).toBeDefined();
      // Called directly rather than via process.emit, so jest's own process sees no signal.
      listener?.('SIGTERM');
      expect(worker.state).toBe('stopping');
      // The listener is gone at once: a second signal gets Node's default action (the process ends).
      expect(process.listeners('SIGTERM').filter((candidate) => !before.has(candidate))).toEqual([]);
      expect(stopped).toEqual([]);

      held.open();
      await eventually(() => stopped.length === 1, 4_000, 'onStopped');
      expect(stopped).toEqual(['clean']);
      expect(worker.state).toBe('stopped');
      // A library never ends the process itself.
      expect(exit).not.toHaveBeenCalled();
    } finally {
      removeListeners();
      exit.mockRestore();
    }
    expect(process.listeners('SIGTERM').filter((candidate) => !before.has(candidate))).toEqual([]);
  });

  it('is safe to call before start, and a stopped worker cannot be started or extended', async () => {
    const worker = new BatonWorker({ serverUrl: server.url });
    worker.register({ taskType: 'noop', handler: () => ({}) });
    await worker.stop();
    await expect(worker.start()).rejects.toBeInstanceOf(IllegalStateError);
    expect(() => worker.register({ taskType: 'other', handler: () => ({}) })).toThrow(IllegalStateError);
    expect(server.polls).toEqual([]);
  });
});
