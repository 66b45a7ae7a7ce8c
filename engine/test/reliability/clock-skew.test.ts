import { BatonWorker } from '@baton/workers-sdk';
import { call, EngineProcess, freePort, waitFor } from '../helpers/engine-process';
import { testEnv } from '../helpers/server';

/** Engine A's clock runs 2 s ahead of real time, engine B's 2 s behind: 4 s apart. */
const AHEAD = 2000;
const BEHIND = -2000;
const SKEW = AHEAD - BEHIND;
const LEASE_S = 6;
const RUNS = 40;

/**
 * Clock skew between engines on one MongoDB (docs/reliability.md, "Clock skew"), with the
 * engines' clocks shifted by a test-only offset (BATON_TEST_CLOCK_OFFSET_MS). The times an engine
 * writes on a record are its own clock's, and the offsets are known, so the real time between a
 * claim and its timeout is read from the records themselves: no assertion here depends on how
 * fast the machine is.
 */
describe('two engines on one MongoDB, clocks 4 s apart', () => {
  let ahead: EngineProcess;
  let behind: EngineProcess;
  beforeAll(async () => {
    const env = testEnv('mongodb', { BATON_SWEEP_INTERVAL_MS: '100', BATON_POLL_RECHECK_MS: '100', BATON_MAX_CLOCK_SKEW_MS: String(SKEW) });
    ahead = new EngineProcess(await freePort(), { ...env, BATON_TEST_CLOCK_OFFSET_MS: String(AHEAD) });
    behind = new EngineProcess(await freePort(), { ...env, BATON_TEST_CLOCK_OFFSET_MS: String(BEHIND) });
    await Promise.all([ahead.start(), behind.start()]);
    await call(ahead.url, 'POST', '/api/metadata/taskdefs', [
      { name: 'held', responseTimeoutSeconds: LEASE_S, retryCount: 1, retryDelaySeconds: 0 },
      { name: 'after_wait', responseTimeoutSeconds: 30, retryCount: 3, retryDelaySeconds: 0 },
    ]);
    await call(ahead.url, 'PUT', '/api/metadata/workflow', [
      { name: 'skew_lease', tasks: [{ name: 'held', taskReferenceName: 'held' }] },
      {
        name: 'skew_timer',
        tasks: [
          { name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: '2s' } },
          { name: 'after_wait', taskReferenceName: 'after_wait', inputParameters: { n: '${workflow.input.n}' } },
        ],
        outputParameters: { n: '${after_wait.output.n}' },
      },
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ahead.kill('SIGTERM'), behind.kill('SIGTERM')]);
  });

  it('a lease taken through the slow engine is not taken away early by the fast one', async () => {
    const id = await call(ahead.url, 'POST', '/api/workflow/skew_lease', {});
    // Claimed through the engine whose clock is behind: its leaseUntil is 2 s "early" in real time.
    const claimed = await waitFor(
      'a claim through the slow engine',
      async () => {
        const tasks = await call(behind.url, 'GET', '/api/tasks/poll/batch/held?workerid=silent&count=1&timeout=500');
        return Array.isArray(tasks) && tasks.length === 1 ? tasks[0] : undefined;
      },
      30_000,
    );
    // The worker stays silent: the lease lapses, and the step is retried.
    const wf = await waitFor(
      'the lease to lapse',
      async () => {
        const w = await call(ahead.url, 'GET', `/api/workflow/${id}?includeTasks=true`);
        return w.tasks.some((t: any) => t.taskId === claimed.taskId && t.status === 'TIMED_OUT') ? w : undefined;
      },
      60_000,
      100,
    );
    const first = wf.tasks.find((t: any) => t.taskId === claimed.taskId);
    expect(first.reasonForIncompletion).toMatch(/responseTimeoutSeconds/);
    // startTime is on the slow engine's clock (real = startTime - BEHIND). endTime is on the
    // clock of whichever engine's sweeper timed it out; reading it as the fast one's (real =
    // endTime - AHEAD) gives the shortest real lease it could have had.
    const realClaim = first.startTime - BEHIND;
    const realTimeout = first.endTime - AHEAD;
    expect(realTimeout - realClaim).toBeGreaterThanOrEqual(LEASE_S * 1000);

    // The retry goes through normally and the run completes once.
    const worker = new BatonWorker({ serverUrl: ahead.url, workerId: 'healthy', pollTimeoutMs: 500 });
    worker.register({ taskType: 'held', handler: () => ({ ok: true }) });
    try {
      await worker.start();
      const done = await waitFor(
        'the run to complete',
        async () => {
          const w = await call(behind.url, 'GET', `/api/workflow/${id}?includeTasks=true`);
          return w.status === 'COMPLETED' ? w : undefined;
        },
        60_000,
      );
      expect(done.tasks.map((t: any) => [t.retryCount, t.status])).toEqual([
        [0, 'TIMED_OUT'],
        [1, 'COMPLETED'],
      ]);
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it('WAIT timers fire once and every step runs once, with workflows and workers on both engines', async () => {
    const effects = new Map<string, number>();
    const workers = [ahead, behind].map((e, i) => {
      const w = new BatonWorker({ serverUrl: e.url, workerId: `w${i}`, pollTimeoutMs: 500 });
      w.register<{ n: number }, { n: number }>({
        taskType: 'after_wait',
        concurrency: 4,
        handler: (input, ctx) => {
          effects.set(ctx.workflowInstanceId, (effects.get(ctx.workflowInstanceId) ?? 0) + 1);
          return { n: input.n + 1 };
        },
      });
      return w;
    });
    try {
      await Promise.all(workers.map((w) => w.start()));
      const ids: string[] = [];
      for (let i = 0; i < RUNS; i++) ids.push(await call((i % 2 ? ahead : behind).url, 'POST', '/api/workflow/skew_timer', { n: i }));
      await waitFor(
        `all ${RUNS} runs to complete`,
        async () =>
          (
            await call(
              ahead.url,
              'GET',
              '/api/workflow/search?query=workflowType%20IN%20(skew_timer)%20AND%20status%20IN%20(COMPLETED)&size=1',
            )
          ).totalHits === RUNS,
        120_000,
        500,
      );
      for (const [i, id] of ids.entries()) {
        const wf = await call((i % 2 ? behind : ahead).url, 'GET', `/api/workflow/${id}?includeTasks=true`);
        expect(wf.output).toEqual({ n: i + 1 });
        expect(wf.tasks.map((t: any) => [t.referenceTaskName, t.status])).toEqual([
          ['pause', 'COMPLETED'],
          ['after_wait', 'COMPLETED'],
        ]);
        expect(effects.get(id)).toBe(1);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }, 240_000);
});
