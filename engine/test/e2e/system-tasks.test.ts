import { BatonWorker } from '@baton/workers-sdk';
import { EngineProcess, freePort, waitFor, call } from '../helpers/engine-process';
import { startTestServer, storeKinds, testEnv } from '../helpers/server';

const BRANCHES = 100;

describe.each(storeKinds())('system tasks end to end (%s)', (kind) => {
  it(`a dynamic fork of ${BRANCHES} branches run by SDK workers joins every branch`, async () => {
    const s = await startTestServer(kind);
    const worker = new BatonWorker({ serverUrl: s.url, workerId: 'fan', pollTimeoutMs: 500 });
    try {
      await call(s.url, 'POST', '/api/metadata/taskdefs', [{ name: 'square' }]);
      await call(s.url, 'POST', '/api/metadata/workflow', {
        name: 'fan_out_flow',
        version: 1,
        tasks: [
          {
            name: 'plan',
            taskReferenceName: 'plan',
            type: 'INLINE',
            inputParameters: {
              evaluatorType: 'javascript',
              n: '${workflow.input.n}',
              expression:
                '(function () { var tasks = [], inputs = {}; for (var i = 0; i < $.n; i++) { tasks.push({ name: "square", taskReferenceName: "sq_" + i }); inputs["sq_" + i] = { x: i }; } return { tasks: tasks, inputs: inputs }; })()',
            },
          },
          {
            name: 'fan',
            taskReferenceName: 'fan',
            type: 'FORK_JOIN_DYNAMIC',
            inputParameters: { dynamicTasks: '${plan.output.result.tasks}', dynamicTasksInput: '${plan.output.result.inputs}' },
            dynamicForkTasksParam: 'dynamicTasks',
            dynamicForkTasksInputParamName: 'dynamicTasksInput',
          },
          { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
        ],
        outputParameters: { joined: '${gather.output}' },
      });
      worker.register<{ x: number }, { y: number }>({
        taskType: 'square',
        concurrency: 20,
        handler: async (input) => ({ y: input.x * input.x }),
      });
      await worker.start();
      const id: string = await call(s.url, 'POST', '/api/workflow/fan_out_flow', { n: BRANCHES });
      const wf = await waitFor(
        'the fork to join',
        async () => {
          const w = await call(s.url, 'GET', `/api/workflow/${id}`);
          return w.status !== 'RUNNING' ? w : undefined;
        },
        60_000,
        100,
      );
      expect(wf.status).toBe('COMPLETED');
      const joined = wf.output.joined as Record<string, { y: number }>;
      expect(Object.keys(joined)).toHaveLength(BRANCHES);
      for (let i = 0; i < BRANCHES; i++) expect(joined[`sq_${i}`]).toEqual({ y: i * i });
      const branches = (wf.tasks as any[]).filter((t) => t.taskType === 'square');
      expect(branches).toHaveLength(BRANCHES);
      expect(branches.every((t) => t.status === 'COMPLETED')).toBe(true);
    } finally {
      await worker.stop();
      await s.close();
    }
  }, 90_000);

  it('a 2 s WAIT survives kill -9 of the engine and ends on time, not before', async () => {
    const port = await freePort();
    const engine = new EngineProcess(port, testEnv(kind, { BATON_SWEEP_INTERVAL_MS: '100', LOG_LEVEL: 'info' }));
    await engine.start();
    try {
      await call(engine.url, 'POST', '/api/metadata/workflow', {
        name: 'nap',
        version: 1,
        tasks: [
          { name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: '2s' } },
          { name: 'wake', taskReferenceName: 'wake', type: 'NOOP' },
        ],
      });
      const startedAt = Date.now();
      const id: string = await call(engine.url, 'POST', '/api/workflow/nap', {});
      await new Promise((r) => setTimeout(r, 500));
      await engine.kill('SIGKILL');
      await engine.start();
      const wf = await waitFor(
        'the wait to end',
        async () => {
          const w = await call(engine.url, 'GET', `/api/workflow/${id}`);
          return w.status !== 'RUNNING' ? w : undefined;
        },
        20_000,
        50,
      );
      const endedAt = Date.now();
      expect(wf.status).toBe('COMPLETED');
      const pause = (wf.tasks as any[]).find((t) => t.referenceTaskName === 'pause');
      expect(pause.status).toBe('COMPLETED');
      // Not before the due time. How soon after depends on the machine's load (an idle one ends it
      // within a sweep, about 2.1 s), so the upper bound is loose on purpose.
      expect(pause.endTime - pause.startTime).toBeGreaterThanOrEqual(2000);
      expect(pause.endTime - pause.startTime).toBeLessThan(15_000);
      expect(endedAt - startedAt).toBeGreaterThanOrEqual(2000);
    } finally {
      await engine.kill('SIGTERM');
    }
  }, 90_000);
});
