import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/** Operators over real HTTP: workers poll and report, the engine decides SWITCH/FORK/DO_WHILE/INLINE. */
const batches = {
  name: 'pack_orders',
  version: 1,
  tasks: [
    {
      name: 'classify',
      taskReferenceName: 'classify',
      type: 'INLINE',
      inputParameters: {
        evaluatorType: 'javascript',
        expression: '$.items.length > 2 ? "bulk" : "small"',
        items: '${workflow.input.items}',
      },
    },
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType: 'javascript',
      expression: '$.kind',
      inputParameters: { kind: '${classify.output.result}' },
      decisionCases: {
        bulk: [
          {
            name: 'per_item',
            taskReferenceName: 'per_item',
            type: 'DO_WHILE',
            items: '${workflow.input.items}',
            loopOver: [
              {
                name: 'fan',
                taskReferenceName: 'fan',
                type: 'FORK_JOIN',
                forkTasks: [
                  [{ name: 'pack', taskReferenceName: 'pack', inputParameters: { item: '${per_item.output.loopItem}' } }],
                  [{ name: 'label', taskReferenceName: 'label', inputParameters: { index: '${per_item.output.loopIndex}' } }],
                ],
              },
              { name: 'packed', taskReferenceName: 'packed', type: 'JOIN', joinOn: ['pack', 'label'] },
            ],
          },
        ],
      },
      defaultCase: [{ name: 'pack', taskReferenceName: 'pack_all', inputParameters: { item: 'all' } }],
    },
    {
      name: 'summary',
      taskReferenceName: 'summary',
      type: 'INLINE',
      inputParameters: {
        evaluatorType: 'graaljs',
        expression: '$.loop ? { boxes: $.loop.iteration, last: $.loop[String($.loop.iteration)].pack.box } : { boxes: 1, last: $.single }',
        loop: '${per_item.output}',
        single: '${pack_all.output.box}',
      },
    },
  ],
  outputParameters: { summary: '${summary.output.result}', route: '${route.output.selectedCase}' },
};

describe.each(storeKinds())('control-flow operators over HTTP (%s)', (kind) => {
  let s: TestServer;
  afterEach(async () => {
    await s.close();
  });

  /** One worker pass: polls each type once and completes what it got with `handler`'s output. */
  const work = async (
    types: string[],
    handler: (type: string, input: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<number> => {
    let done = 0;
    for (const type of types) {
      const polled = await s.req('GET', `/api/tasks/poll/batch/${type}?workerid=w&count=10&timeout=100`);
      for (const t of polled.body as Array<Record<string, any>>) {
        const r = await s.req('POST', '/api/tasks', {
          taskId: t.taskId,
          workerId: 'w',
          attemptToken: t.attemptToken,
          status: 'COMPLETED',
          outputData: handler(type, t.inputData),
        });
        expect(r.status).toBe(200);
        done++;
      }
    }
    return done;
  };
  const status = async (id: string): Promise<Record<string, any>> => (await s.req('GET', `/api/workflow/${id}`)).body;
  const runUntilDone = async (ids: string[], types: string[], handler: Parameters<typeof work>[1]): Promise<void> => {
    for (let pass = 0; pass < 100; pass++) {
      const states = await Promise.all(ids.map(status));
      if (states.every((w) => w.status !== 'RUNNING')) return;
      await work(types, handler);
    }
    throw new Error('workflows did not finish');
  };

  it('runs SWITCH, FORK_JOIN, DO_WHILE and INLINE with workers polling over HTTP', async () => {
    s = await startTestServer(kind);
    expect((await s.req('POST', '/api/metadata/taskdefs', [{ name: 'pack' }, { name: 'label' }])).status).toBe(200);
    const reg = await s.req('POST', '/api/metadata/workflow', batches);
    expect(reg.status).toBe(200);
    const id = (await s.req('POST', '/api/workflow/pack_orders', { items: ['book', 'pen', 'lamp'] })).text;
    await runUntilDone([id], ['pack', 'label'], (type, input) =>
      type === 'pack' ? { box: `box-${String(input.item)}` } : { label: `L${String(input.index)}` },
    );

    const wf = await status(id);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.output).toEqual({ summary: { boxes: 3, last: 'box-lamp' }, route: 'bulk' });
    const tasks = wf.tasks as Array<Record<string, any>>;
    const byName = (ref: string) => tasks.find((t) => t.referenceTaskName === ref);
    expect(byName('classify')).toMatchObject({ taskType: 'INLINE', status: 'COMPLETED', outputData: { result: 'bulk' } });
    expect(byName('route')).toMatchObject({ taskType: 'SWITCH', status: 'COMPLETED', outputData: { evaluationResult: ['bulk'] } });
    expect(byName('per_item')).toMatchObject({ taskType: 'DO_WHILE', status: 'COMPLETED', outputData: { iteration: 3 } });
    for (const n of [1, 2, 3]) {
      expect(byName(`fan__${n}`)).toMatchObject({ taskType: 'FORK', status: 'COMPLETED', iteration: n });
      expect(byName(`pack__${n}`)).toMatchObject({
        status: 'COMPLETED',
        iteration: n,
        loopOverTask: true,
        inputData: { item: ['book', 'pen', 'lamp'][n - 1] },
      });
      expect(byName(`label__${n}`)).toMatchObject({ status: 'COMPLETED', inputData: { index: n - 1 } });
      expect(byName(`packed__${n}`)).toMatchObject({
        taskType: 'JOIN',
        status: 'COMPLETED',
        outputData: { pack: { box: expect.any(String) }, label: { label: `L${n - 1}` } },
      });
    }
    expect(tasks.every((t) => t.status === 'COMPLETED')).toBe(true);
    expect(new Set(tasks.map((t) => t.taskId)).size).toBe(tasks.length);
  });

  it('takes the default case of the SWITCH for a small order', async () => {
    s = await startTestServer(kind);
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'pack' }, { name: 'label' }]);
    await s.req('POST', '/api/metadata/workflow', batches);
    const id = (await s.req('POST', '/api/workflow/pack_orders', { items: ['book'] })).text;
    await runUntilDone([id], ['pack', 'label'], () => ({ box: 'one-box' }));
    const wf = await status(id);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.output).toEqual({ summary: { boxes: 1, last: 'one-box' }, route: 'small' });
    expect((wf.tasks as Array<{ referenceTaskName: string }>).map((t) => t.referenceTaskName)).toEqual([
      'classify',
      'route',
      'pack_all',
      'summary',
    ]);
  });

  it('fails an INLINE that never ends within its time limit while another workflow keeps going', async () => {
    s = await startTestServer(kind, { env: { BATON_SCRIPT_TIMEOUT_MS: '50' } });
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'tick' }]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'steady',
      tasks: [
        {
          name: 'count',
          taskReferenceName: 'count',
          type: 'DO_WHILE',
          loopCondition: '$.count.iteration < 5',
          loopOver: [{ name: 'tick', taskReferenceName: 'tick' }],
        },
      ],
    });
    await s.req('POST', '/api/metadata/workflow', {
      name: 'spinner',
      tasks: [{ name: 'spin', taskReferenceName: 'spin', type: 'INLINE', inputParameters: { expression: 'while (true) {}' } }],
    });
    const steady = (await s.req('POST', '/api/workflow/steady', {})).text;
    expect(await work(['tick'], () => ({ ok: true }))).toBe(1);

    const spinners: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const started = await s.req('POST', '/api/workflow/spinner', {});
      expect(started.status).toBe(200);
      // 50 ms of script plus the request; the host's hard deadline would be 150 ms.
      expect(Date.now() - t0).toBeLessThan(2000);
      spinners.push(started.text);
      expect(await work(['tick'], () => ({ ok: true }))).toBe(1);
    }
    for (const id of spinners) {
      const wf = await status(id);
      expect(wf.status).toBe('FAILED');
      expect(wf.reasonForIncompletion).toBe('script exceeded its 50 ms time limit');
      expect(wf.tasks).toEqual([
        expect.objectContaining({
          taskType: 'INLINE',
          status: 'FAILED',
          retryCount: 0,
          reasonForIncompletion: 'script exceeded its 50 ms time limit',
        }),
      ]);
    }
    await runUntilDone([steady], ['tick'], () => ({ ok: true }));
    const done = await status(steady);
    expect(done.status).toBe('COMPLETED');
    expect(done.tasks.filter((t: { taskType: string }) => t.taskType === 'tick')).toHaveLength(5);
  });
});
