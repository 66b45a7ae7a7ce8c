import { BatonWorker } from '@baton/workers-sdk';
import { waitFor } from '../helpers/engine-process';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Resiliency policies end to end, in real time, with the TypeScript worker SDK: retries with
 * backoff, a concurrency limit and a rate limit, measured from the workers' side. Assertions on
 * time are lower bounds or counts with slack, never tight durations (2-core CI machines).
 */
describe.each(storeKinds())('resiliency end to end (%s)', (kind) => {
  let s: TestServer;
  let workers: BatonWorker[] = [];
  beforeEach(async () => {
    s = await startTestServer(kind, { env: { BATON_SWEEP_INTERVAL_MS: '100', BATON_POLL_RECHECK_MS: '100' } });
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
    await s.close();
  });

  const completed = async (name: string, n: number, timeoutMs: number): Promise<void> => {
    await waitFor(
      `${n} ${name} workflows to complete`,
      async () => (await s.req('GET', `/api/workflow/search?workflowName=${name}&status=COMPLETED&size=1`)).body.totalHits === n,
      timeoutMs,
      100,
    );
  };

  it('retries a task that fails transiently 3 times, with LINEAR_BACKOFF delays, until it succeeds', async () => {
    await s.req('POST', '/api/metadata/taskdefs', [
      {
        name: 'flaky',
        retryCount: 3,
        retryLogic: 'LINEAR_BACKOFF',
        retryDelaySeconds: 1,
        backoffScaleFactor: 1,
        responseTimeoutSeconds: 10,
      },
    ]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'flaky_flow',
      tasks: [{ name: 'flaky', taskReferenceName: 'flaky', inputParameters: { n: '${workflow.input.n}' } }],
    });
    const id = (await s.req('POST', '/api/workflow/flaky_flow', { n: 7 })).text;

    let calls = 0;
    const worker = new BatonWorker({ serverUrl: s.url, workerId: 'flaky-worker', pollTimeoutMs: 500 });
    worker.register<{ n: number }, { n: number; calls: number }>({
      taskType: 'flaky',
      handler: async (input) => {
        calls++;
        if (calls <= 3) throw new Error(`upstream unavailable (call ${calls})`);
        return { n: input.n, calls };
      },
    });
    workers.push(worker);
    await worker.start();
    await completed('flaky_flow', 1, 30_000);

    const wf = (await s.req('GET', `/api/workflow/${id}`)).body;
    expect(wf.output).toEqual({ n: 7, calls: 4 });
    const attempts = wf.tasks as any[];
    expect(attempts.map((t) => [t.retryCount, t.status, t.reasonForIncompletion ?? null, t.workerId])).toEqual([
      [0, 'FAILED', 'upstream unavailable (call 1)', 'flaky-worker'],
      [1, 'FAILED', 'upstream unavailable (call 2)', 'flaky-worker'],
      [2, 'FAILED', 'upstream unavailable (call 3)', 'flaky-worker'],
      [3, 'COMPLETED', null, 'flaky-worker'],
    ]);
    expect(new Set(attempts.map((t) => t.taskId)).size).toBe(4);
    for (let i = 1; i < 4; i++) {
      const [prev, next] = [attempts[i - 1], attempts[i]];
      // Each retry was held back exactly its LINEAR_BACKOFF delay (1 s, 2 s, 3 s)...
      expect(next.visibleAt - next.scheduledTime).toBe(i * 1000);
      // ...and no worker got it earlier.
      expect(next.startTime - prev.endTime).toBeGreaterThanOrEqual(i * 1000);
      expect(next.inputData).toEqual({ n: 7 });
    }
  }, 60_000);

  it('never has more than concurrentExecLimit (2) tasks in progress with 10 eager workers', async () => {
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'limited', concurrentExecLimit: 2, responseTimeoutSeconds: 30 }]);
    await s.req('POST', '/api/metadata/workflow', { name: 'limited_flow', tasks: [{ name: 'limited', taskReferenceName: 'limited' }] });
    for (let i = 0; i < 20; i++) await s.req('POST', '/api/workflow/limited_flow', {});

    let inFlight = 0;
    let maxInFlight = 0;
    let handled = 0;
    workers = Array.from({ length: 10 }, (_, i) => {
      const w = new BatonWorker({ serverUrl: s.url, workerId: `eager-${i}`, pollTimeoutMs: 500 });
      w.register({
        taskType: 'limited',
        concurrency: 1,
        handler: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            await sleep(100);
            handled++;
            return {};
          } finally {
            inFlight--;
          }
        },
      });
      return w;
    });
    await Promise.all(workers.map((w) => w.start()));
    await completed('limited_flow', 20, 60_000);
    expect(handled).toBe(20);
    expect(maxInFlight).toBe(2);
  }, 90_000);

  it('holds a rate limit of 5 per second over 5 seconds, across 10 workers', async () => {
    await s.req('POST', '/api/metadata/taskdefs', [
      { name: 'metered', rateLimitPerFrequency: 5, rateLimitFrequencyInSeconds: 1, responseTimeoutSeconds: 30 },
    ]);
    await s.req('POST', '/api/metadata/workflow', { name: 'metered_flow', tasks: [{ name: 'metered', taskReferenceName: 'metered' }] });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await s.req('POST', '/api/workflow/metered_flow', {})).text);

    const starts: number[] = [];
    workers = Array.from({ length: 10 }, (_, i) => {
      const w = new BatonWorker({ serverUrl: s.url, workerId: `metered-${i}`, pollTimeoutMs: 1000 });
      w.register({
        taskType: 'metered',
        concurrency: 2,
        handler: async () => {
          starts.push(Date.now());
          return {};
        },
      });
      return w;
    });
    await Promise.all(workers.map((w) => w.start()));
    await completed('metered_flow', 30, 60_000);

    // Engine side, exact: the claims (startTime) of each 1 s window are at most 5.
    const claims: number[] = [];
    for (const id of ids)
      claims.push(...((await s.req('GET', `/api/workflow/${id}`)).body.tasks as any[]).map((t) => t.startTime as number));
    const perWindow = new Map<number, number>();
    for (const c of claims) perWindow.set(Math.floor(c / 1000), (perWindow.get(Math.floor(c / 1000)) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(5);
    expect(perWindow.size).toBeGreaterThanOrEqual(6);

    // Workers' side, with slack: 5 s from the first start see about 25 starts (fixed windows
    // allow at most 30; 35 leaves room for claim-to-handler lag), and 30 tasks need over 4 s.
    starts.sort((a, b) => a - b);
    const first = starts[0]!;
    const inFiveSeconds = starts.filter((t) => t < first + 5000).length;
    expect(inFiveSeconds).toBeLessThanOrEqual(35);
    expect(inFiveSeconds).toBeGreaterThanOrEqual(15);
    expect(starts[starts.length - 1]! - first).toBeGreaterThanOrEqual(4000);
  }, 90_000);
});
