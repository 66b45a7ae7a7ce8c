import { eventually } from '../helpers/eventually';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/**
 * Every amplifier has a limit that fails the offending workflow (or refuses the request), naming
 * the limit, and none stalls the engine (docs/limits.md). Small limits, so the tests stay quick.
 */
describe.each(storeKinds())('limits (%s)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind, {
      env: {
        BATON_MAX_PAYLOAD_BYTES: '4096',
        BATON_MAX_JSON_DEPTH: '10',
        BATON_MAX_WORKFLOW_DEPTH: '3',
        BATON_MAX_DEFINITION_TASKS: '6',
        BATON_MAX_FORK_BRANCHES: '3',
        BATON_MAX_LOOP_ITERATIONS: '3',
        BATON_MAX_RETRY_COUNT: '5',
      },
    });
  });
  afterAll(() => s.close());

  const put = async (defs: unknown[]): Promise<void> => {
    const r = await s.req('PUT', '/api/metadata/workflow', defs);
    expect(r.status).toBe(200);
  };
  const start = async (name: string, input: Record<string, unknown> = {}): Promise<string> => {
    const r = await s.req('POST', `/api/workflow/${name}`, input);
    expect(r.status).toBe(200);
    return r.text;
  };
  const ended = async (id: string): Promise<any> =>
    (
      await eventually(
        () => s.req('GET', `/api/workflow/${id}`),
        (r) => ['COMPLETED', 'FAILED', 'TERMINATED', 'TIMED_OUT'].includes(r.body.status),
        15_000,
      )
    ).body;
  const nested = (depth: number): unknown => (depth <= 1 ? 'leaf' : { d: nested(depth - 1) });

  describe('payloads', () => {
    beforeAll(() => put([{ name: 'one_step', version: 1, tasks: [{ name: 'payload_step', taskReferenceName: 'a', type: 'SIMPLE' }] }]));

    it('refuses a workflow input over the payload limit with 413, naming the limit and the field', async () => {
      const r = await s.req('POST', '/api/workflow/one_step', { blob: 'x'.repeat(5000) });
      expect(r.status).toBe(413);
      expect(r.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(r.body.detail).toMatch(/over the payload limit of 4 KiB \(BATON_MAX_PAYLOAD_BYTES\)/);
      expect(r.body.errors[0].pointer).toBe('/input');
    });

    it('refuses a report whose output is over the limit with 413 and changes nothing: a smaller report then lands', async () => {
      const id = await start('one_step');
      const t = ((await s.req('GET', '/api/tasks/poll/batch/payload_step?workerid=w&count=1&timeout=2000')).body as any[])[0];
      const report = (outputData: unknown) =>
        s.req('POST', '/api/tasks', { taskId: t.taskId, workerId: 'w', attemptToken: t.attemptToken, status: 'COMPLETED', outputData });
      const big = await report({ blob: 'x'.repeat(5000) });
      expect(big.status).toBe(413);
      expect(big.body.errors[0].pointer).toBe('/outputData');
      expect((await s.req('GET', `/api/tasks/${t.taskId}`)).body.status).toBe('IN_PROGRESS');
      expect((await report({ ok: true })).status).toBe(200);
      expect((await ended(id)).status).toBe('COMPLETED');
    });

    it('refuses payloads nested deeper than the JSON depth limit with 400, never 500', async () => {
      const deep = await s.req('POST', '/api/workflow/one_step', { n: nested(20) });
      expect(deep.status).toBe(400);
      expect(deep.body.detail).toMatch(/BATON_MAX_JSON_DEPTH/);
      expect(deep.body.errors[0].pointer).toBe('/input');
      // A hundred thousand levels: parsed without recursion, refused the same way.
      const bomb = `{"n":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      expect((await s.req('POST', '/api/workflow/one_step', bomb)).status).toBe(400);
    });

    it('fails a step whose computed output is over the limit (a JOIN gathering large outputs), naming the limit', async () => {
      await put([
        {
          name: 'gather_big',
          version: 1,
          tasks: [
            {
              name: 'fan',
              taskReferenceName: 'fan',
              type: 'FORK_JOIN',
              forkTasks: [
                [{ name: 'big_part', taskReferenceName: 'p1', type: 'SIMPLE' }],
                [{ name: 'big_part', taskReferenceName: 'p2', type: 'SIMPLE' }],
              ],
            },
            { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['p1', 'p2'] },
          ],
        },
      ]);
      const id = await start('gather_big');
      for (let i = 0; i < 2; i++) {
        const t = ((await s.req('GET', '/api/tasks/poll/batch/big_part?workerid=w&count=1&timeout=2000')).body as any[])[0];
        const r = await s.req('POST', '/api/tasks', {
          taskId: t.taskId,
          workerId: 'w',
          attemptToken: t.attemptToken,
          status: 'COMPLETED',
          outputData: { blob: 'y'.repeat(3000) },
        });
        expect(r.status).toBe(200);
      }
      const wf = await ended(id);
      expect(wf.status).toBe('FAILED');
      expect(wf.reasonForIncompletion).toMatch(/the output of 'join' is .* over the payload limit of 4 KiB \(BATON_MAX_PAYLOAD_BYTES\)/);
    });
  });

  describe('definitions', () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ name: 'noop', taskReferenceName: `s${i}`, type: 'NOOP' }));

    it('refuses a definition with more steps than allowed, naming the limit', async () => {
      const r = await s.req('PUT', '/api/metadata/workflow', [{ name: 'too_long', version: 1, tasks: steps(7) }]);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body.errors)).toMatch(/has 7 steps, over the limit of 6 \(BATON_MAX_DEFINITION_TASKS\)/);
      const inline = await s.req('POST', '/api/workflow', {
        name: 'too_long',
        workflowDef: { name: 'too_long', version: 1, tasks: steps(7) },
      });
      expect(inline.status).toBe(400);
      expect(inline.body.errors[0].pointer).toBe('/workflowDef/tasks');
    });

    it('refuses a retryCount over the limit in a task definition or a step', async () => {
      const def = await s.req('POST', '/api/metadata/taskdefs', [{ name: 'retrying', retryCount: 6 }]);
      expect(def.status).toBe(400);
      expect(def.body.detail).toMatch(/BATON_MAX_RETRY_COUNT/);
      const wf = await s.req('PUT', '/api/metadata/workflow', [
        { name: 'retry_step', version: 1, tasks: [{ name: 'x', taskReferenceName: 'x', type: 'SIMPLE', retryCount: 9 }] },
      ]);
      expect(wf.status).toBe(400);
      expect(wf.body.errors[0].pointer).toBe('/0/tasks/0/retryCount');
    });
  });

  describe('amplifiers at run time', () => {
    it('fails a dynamic fork asking for more branches than allowed', async () => {
      await put([
        {
          name: 'wide',
          version: 1,
          tasks: [
            {
              name: 'fan',
              taskReferenceName: 'fan',
              type: 'FORK_JOIN_DYNAMIC',
              inputParameters: { forkTaskName: 'leaf', forkTaskInputs: '${workflow.input.items}' },
            },
            { name: 'join', taskReferenceName: 'join', type: 'JOIN' },
          ],
        },
      ]);
      const wf = await ended(await start('wide', { items: [1, 2, 3, 4] }));
      expect(wf.status).toBe('FAILED');
      expect(wf.reasonForIncompletion).toBe("dynamic fork 'fan' would fork 4 branches, over the limit of 3 (BATON_MAX_FORK_BRANCHES)");
    });

    it('fails a loop that would run more iterations than allowed', async () => {
      await put([
        {
          name: 'forever',
          version: 1,
          tasks: [
            {
              name: 'loop',
              taskReferenceName: 'loop',
              type: 'DO_WHILE',
              loopCondition: 'true',
              loopOver: [{ name: 'noop', taskReferenceName: 'tick', type: 'NOOP' }],
            },
          ],
        },
      ]);
      const wf = await ended(await start('forever'));
      expect(wf.status).toBe('FAILED');
      expect(wf.reasonForIncompletion).toBe("DO_WHILE 'loop' reached the limit of 3 iterations (BATON_MAX_LOOP_ITERATIONS)");
    });

    const runsOf = async (name: string): Promise<any[]> =>
      (await s.req('GET', `/api/workflow/search?query=${encodeURIComponent(`workflowType IN (${name})`)}&size=100`)).body.results;

    it('stops a workflow that starts itself as a sub-workflow at the depth limit; the chain fails upward', async () => {
      await put([
        {
          name: 'matryoshka',
          version: 1,
          tasks: [{ name: 'me', taskReferenceName: 'me', type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'matryoshka' } }],
        },
      ]);
      const root = await ended(await start('matryoshka'));
      expect(root.status).toBe('FAILED');
      const runs = await eventually(
        () => runsOf('matryoshka'),
        (r) => r.length === 4 && r.every((w) => w.status === 'FAILED'),
      );
      expect(runs).toHaveLength(4);
      const deepest = await s.req(
        'GET',
        `/api/workflow/${runs.find((w) => !runs.some((o) => o.parentWorkflowId === w.workflowId)).workflowId}`,
      );
      expect(deepest.body.reasonForIncompletion).toMatch(/4 levels deep .* over the limit of 3 \(BATON_MAX_WORKFLOW_DEPTH\)/);
    });

    it('stops a workflow that starts itself with START_WORKFLOW at the depth limit', async () => {
      await put([
        {
          name: 'relay',
          version: 1,
          tasks: [
            { name: 'again', taskReferenceName: 'again', type: 'START_WORKFLOW', inputParameters: { startWorkflow: { name: 'relay' } } },
          ],
        },
      ]);
      await start('relay');
      const runs = await eventually(
        () => runsOf('relay'),
        (r) => r.length === 4 && r.every((w) => w.status !== 'RUNNING'),
      );
      expect(runs.map((w) => w.status).sort()).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED']);
      const failed = await s.req('GET', `/api/workflow/${runs.find((w) => w.status === 'FAILED').workflowId}`);
      expect(failed.body.reasonForIncompletion).toMatch(/BATON_MAX_WORKFLOW_DEPTH/);
    });

    it('stops a workflow that is its own failure workflow at the depth limit', async () => {
      await put([
        {
          name: 'phoenix',
          version: 1,
          failureWorkflow: 'phoenix',
          tasks: [
            {
              name: 'die',
              taskReferenceName: 'die',
              type: 'TERMINATE',
              inputParameters: { terminationStatus: 'FAILED', terminationReason: 'again' },
            },
          ],
        },
      ]);
      await start('phoenix');
      const runs = await eventually(
        () => runsOf('phoenix'),
        (r) => r.length === 4 && r.every((w) => w.status === 'FAILED'),
      );
      expect(runs).toHaveLength(4);
      // Nothing more comes: the fifth start was refused (and logged), not retried for ever.
      await new Promise((r) => setTimeout(r, 500));
      expect(await runsOf('phoenix')).toHaveLength(4);
    });

    it('keeps answering /health meanwhile', async () => {
      expect((await s.req('GET', '/health')).status).toBe(200);
    });
  });
});
