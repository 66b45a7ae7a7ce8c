import { BatonWorker } from '@baton/workers-sdk';
import { EngineProcess, freePort, waitFor, call } from '../helpers/engine-process';
import { testEnv } from '../helpers/server';

const WORKFLOWS = 500;
const STEPS = ['pick', 'pack', 'post'] as const;

// `npm test` always provisions a MongoDB test server; without one this suite fails loudly
// (testEnv throws) rather than passing by skipping.
describe('three engines on one MongoDB database', () => {
  it(`complete ${WORKFLOWS} workflows, never dispatch one attempt twice at once, and survive losing an engine`, async () => {
    const env = testEnv('mongodb', { BATON_SWEEP_INTERVAL_MS: '200', BATON_POLL_RECHECK_MS: '100' });
    const engines = await Promise.all([0, 1, 2].map(async () => new EngineProcess(await freePort(), env)));
    await Promise.all(engines.map((e) => e.start()));
    const [a, b, c] = engines as [EngineProcess, EngineProcess, EngineProcess];

    await call(
      a.url,
      'POST',
      '/api/metadata/taskdefs',
      STEPS.map((name) => ({ name, responseTimeoutSeconds: 3, retryCount: 5, retryDelaySeconds: 0 })),
    );
    await call(a.url, 'POST', '/api/metadata/workflow', {
      name: 'fulfil',
      tasks: STEPS.map((name, i) => ({
        name,
        taskReferenceName: name,
        inputParameters: { n: i === 0 ? '${workflow.input.n}' : `\${${STEPS[i - 1]}.output.n}` },
      })),
      outputParameters: { n: '${post.output.n}' },
    });

    // Every dispatch an attempt gets, from the workers' side: a task id held by two handlers at
    // the same moment would be a double dispatch.
    const inFlight = new Set<string>();
    const doubleDispatch: string[] = [];
    let handled = 0;
    const workers = engines.map((e, i) => {
      const w = new BatonWorker({ serverUrl: e.url, workerId: `worker-${i}`, pollTimeoutMs: 500 });
      for (const step of STEPS) {
        w.register<{ n: number }, { n: number }>({
          taskType: step,
          concurrency: 8,
          handler: async (input, ctx) => {
            if (inFlight.has(ctx.taskId)) doubleDispatch.push(ctx.taskId);
            inFlight.add(ctx.taskId);
            try {
              await new Promise((r) => setTimeout(r, 2));
              handled++;
              return { n: input.n + 1 };
            } finally {
              inFlight.delete(ctx.taskId);
            }
          },
        });
      }
      return w;
    });
    const ids: string[] = [];
    try {
      for (let i = 0; i < WORKFLOWS; i += 25) {
        const batch = Array.from({ length: Math.min(25, WORKFLOWS - i) }, (_, j) =>
          call(engines[(i + j) % 3]!.url, 'POST', '/api/workflow/fulfil', { n: (i + j) * 10 }),
        );
        ids.push(...(await Promise.all(batch)));
      }
      await Promise.all(workers.map((w) => w.start()));
      await waitFor('a third of the work', async () => handled >= WORKFLOWS, 120_000, 20);
      await c.kill('SIGKILL');
      const handledAtKill = handled;

      await waitFor(
        `all ${WORKFLOWS} workflows to complete on the surviving engines`,
        async () => (await call(a.url, 'GET', '/api/workflow/search?workflowName=fulfil&status=COMPLETED&size=1')).totalHits === WORKFLOWS,
        180_000,
        500,
      );
      expect(handledAtKill).toBeLessThan(WORKFLOWS * STEPS.length);
      expect(doubleDispatch).toEqual([]);
      for (const [i, id] of ids.entries()) {
        const wf = await call(i % 2 ? a.url : b.url, 'GET', `/api/workflow/${id}`);
        expect(wf.output).toEqual({ n: i * 10 + 3 });
        for (const step of STEPS) {
          expect(wf.tasks.filter((t: any) => t.referenceTaskName === step && t.status === 'COMPLETED')).toHaveLength(1);
        }
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(engines.map((e) => e.kill('SIGTERM')));
    }
  }, 360_000);
});
