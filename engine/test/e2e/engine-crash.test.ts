import { BatonWorker } from '@baton/workers-sdk';
import { EngineProcess, freePort, waitFor, call } from '../helpers/engine-process';
import { storeKinds, testEnv } from '../helpers/server';

const WORKFLOWS = 200;
const STEPS = ['reserve', 'charge', 'ship'] as const;

describe.each(storeKinds())('the engine killed with SIGKILL mid-flight (%s)', (kind) => {
  it(`finishes all ${WORKFLOWS} workflows after a restart, each step recorded exactly once`, async () => {
    const port = await freePort();
    const env = testEnv(kind, { BATON_SWEEP_INTERVAL_MS: '200', LOG_LEVEL: 'info' });
    const engine = new EngineProcess(port, env);
    await engine.start();
    const url = engine.url;

    await call(
      url,
      'POST',
      '/api/metadata/taskdefs',
      STEPS.map((name) => ({ name, responseTimeoutSeconds: 3, retryCount: 5, retryDelaySeconds: 0 })),
    );
    await call(url, 'POST', '/api/metadata/workflow', {
      name: 'crash_flow',
      tasks: STEPS.map((name, i) => ({
        name,
        taskReferenceName: name,
        inputParameters: { n: i === 0 ? '${workflow.input.n}' : `\${${STEPS[i - 1]}.output.n}` },
      })),
      outputParameters: { n: '${ship.output.n}' },
    });

    // Each step adds 1: a workflow started with n ends with n + 3 only if every step ran on the
    // previous step's recorded result.
    const executions = new Map<string, number>();
    const worker = new BatonWorker({ serverUrl: url, workerId: 'crash-test', pollTimeoutMs: 500 });
    for (const step of STEPS) {
      worker.register<{ n: number }, { n: number }>({
        taskType: step,
        concurrency: 10,
        handler: async (input, ctx) => {
          executions.set(ctx.taskId, (executions.get(ctx.taskId) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 5));
          return { n: input.n + 1 };
        },
      });
    }

    const ids: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) ids.push(await call(url, 'POST', '/api/workflow/crash_flow', { n: i * 10 }));
    await worker.start();
    try {
      // Kill once a good part of the work is done, and far from all of it.
      await waitFor('some progress', async () => [...executions.values()].length >= WORKFLOWS, 60_000, 20);
      await engine.kill('SIGKILL');
      const doneBeforeCrash = executions.size;
      await new Promise((r) => setTimeout(r, 500));
      await engine.start();

      const all = await waitFor(
        `all ${WORKFLOWS} workflows to complete`,
        async () => {
          const found = await call(url, 'GET', `/api/workflow/search?workflowName=crash_flow&status=COMPLETED&size=1000`);
          return found.totalHits === WORKFLOWS ? found : undefined;
        },
        120_000,
        500,
      ).catch(async (err: unknown) => {
        // Say which workflows are stuck and where, so a failure can be diagnosed from the log.
        const running = await call(url, 'GET', `/api/workflow/search?workflowName=crash_flow&status=RUNNING&size=5`);
        const stuck = await Promise.all(running.results.map((w: any) => call(url, 'GET', `/api/workflow/${w.workflowId}`)));
        const detail = stuck.map(
          (w: any) =>
            `${w.workflowId}: ${w.tasks.map((t: any) => `${t.referenceTaskName}#${t.retryCount} ${t.status} lease=${t.leaseUntil ?? '-'} visible=${t.visibleAt}`).join(', ')}`,
        );
        throw new Error(
          `${String(err)}; ${running.totalHits} still RUNNING at ${Date.now()}, e.g.\n${detail.join('\n')}\nengine log tail:\n${engine.output.slice(-2000)}`,
        );
      });
      expect(all.totalHits).toBe(WORKFLOWS);
      expect(doneBeforeCrash).toBeLessThan(WORKFLOWS * STEPS.length);

      for (const [i, id] of ids.entries()) {
        const wf = await call(url, 'GET', `/api/workflow/${id}`);
        expect(wf.status).toBe('COMPLETED');
        expect(wf.output).toEqual({ n: i * 10 + 3 });
        for (const step of STEPS) {
          const completed = wf.tasks.filter((t: any) => t.referenceTaskName === step && t.status === 'COMPLETED');
          expect(completed).toHaveLength(1);
        }
      }
    } finally {
      await worker.stop();
      await engine.kill('SIGTERM');
    }
  }, 240_000);
});
