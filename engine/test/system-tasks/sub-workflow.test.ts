import { eventually } from '../helpers/eventually';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/** SUB_WORKFLOW and START_WORKFLOW over REST: child start, completion, failure, retry, terminate cascade. */
const child = {
  name: 'child_flow',
  version: 1,
  tasks: [{ name: 'child_step', taskReferenceName: 'child_step', type: 'SIMPLE', inputParameters: { n: '${workflow.input.n}' } }],
  outputParameters: { doubled: '${child_step.output.doubled}' },
};
const parent = (sub: Record<string, unknown> = {}) => ({
  name: 'parent_flow',
  version: 1,
  tasks: [
    {
      name: 'run_child',
      taskReferenceName: 'run_child',
      type: 'SUB_WORKFLOW',
      subWorkflowParam: { name: 'child_flow', version: 1 },
      inputParameters: { n: '${workflow.input.n}' },
      ...sub,
    },
    { name: 'after', taskReferenceName: 'after', type: 'SIMPLE', inputParameters: { doubled: '${run_child.output.doubled}' } },
  ],
});

describe.each(storeKinds())('SUB_WORKFLOW and START_WORKFLOW (%s)', (kind) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer(kind);
    expect((await s.req('POST', '/api/metadata/taskdefs', [{ name: 'child_step', retryCount: 0 }, { name: 'after' }])).status).toBe(200);
    expect((await s.req('PUT', '/api/metadata/workflow', [child, parent()])).status).toBe(200);
  });
  afterEach(async () => {
    await s.close();
  });

  const wf = async (id: string): Promise<any> => (await s.req('GET', `/api/workflow/${id}`)).body;
  const start = async (name: string, input: Record<string, unknown>): Promise<string> =>
    (await s.req('POST', `/api/workflow/${name}`, input)).text;
  const pollOne = async (type: string): Promise<any> => {
    const r = await eventually(
      () => s.req('GET', `/api/tasks/poll/batch/${type}?workerid=w&count=1&timeout=200`),
      (r) => (r.body as any[]).length > 0,
    );
    const t = (r.body as any[])[0];
    if (!t) throw new Error(`no ${type} task`);
    return t;
  };
  const report = (t: any, status: string, outputData: Record<string, unknown> = {}, reason?: string) =>
    s.req('POST', '/api/tasks', {
      taskId: t.taskId,
      workerId: 'w',
      attemptToken: t.attemptToken,
      status,
      outputData,
      ...(reason ? { reasonForIncompletion: reason } : {}),
    });
  const subTask = async (id: string): Promise<any> =>
    ((await wf(id)).tasks as any[]).filter((t) => t.referenceTaskName === 'run_child').at(-1);

  it('starts the child with the task input, then completes with its output and goes on', async () => {
    const id = await start('parent_flow', { n: 21 });
    const task = await subTask(id);
    expect(task).toMatchObject({ taskType: 'SUB_WORKFLOW', status: 'IN_PROGRESS', outputData: { subWorkflowId: expect.any(String) } });
    const childId = task.outputData.subWorkflowId as string;
    const step = await pollOne('child_step');
    expect(step).toMatchObject({ workflowInstanceId: childId, inputData: { n: 21 } });
    expect(await wf(childId)).toMatchObject({
      workflowName: 'child_flow',
      parentWorkflowId: id,
      parentWorkflowTaskId: task.taskId,
      input: { n: 21 },
    });
    expect((await report(step, 'COMPLETED', { doubled: 42 })).status).toBe(200);

    const after = await pollOne('after');
    expect(after.inputData).toEqual({ doubled: 42 });
    expect(await subTask(id)).toMatchObject({ status: 'COMPLETED', outputData: { doubled: 42, subWorkflowId: childId } });
    expect((await report(after, 'COMPLETED')).status).toBe(200);
    expect((await wf(id)).status).toBe('COMPLETED');
  });

  it('fails the parent with the child reason when the child fails (no retries without a task definition)', async () => {
    const id = await start('parent_flow', { n: 1 });
    const step = await pollOne('child_step');
    await report(step, 'FAILED_WITH_TERMINAL_ERROR', {}, 'card declined');
    const parentWf = await eventually(
      () => wf(id),
      (w) => w.status !== 'RUNNING',
    );
    expect(parentWf.status).toBe('FAILED');
    expect(parentWf.reasonForIncompletion).toBe('card declined');
    expect(await subTask(id)).toMatchObject({ status: 'FAILED', reasonForIncompletion: 'card declined' });
  });

  it('retries a failed child per the SUB_WORKFLOW task definition, with a new child each attempt', async () => {
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'run_child', retryCount: 1, retryDelaySeconds: 0 }]);
    const id = await start('parent_flow', { n: 2 });
    const first = await pollOne('child_step');
    await report(first, 'FAILED_WITH_TERMINAL_ERROR', {}, 'flaky');
    const second = await pollOne('child_step');
    expect(second.workflowInstanceId).not.toBe(first.workflowInstanceId);
    await report(second, 'COMPLETED', { doubled: 4 });
    expect((await pollOne('after')).inputData).toEqual({ doubled: 4 });
    const attempts = ((await wf(id)).tasks as any[]).filter((t) => t.referenceTaskName === 'run_child');
    expect(attempts.map((t) => [t.retryCount, t.status])).toEqual([
      [0, 'FAILED'],
      [1, 'COMPLETED'],
    ]);
  });

  it('terminating the parent terminates its running child', async () => {
    const id = await start('parent_flow', { n: 3 });
    await pollOne('child_step');
    const childId = (await subTask(id)).outputData.subWorkflowId as string;
    expect((await s.req('DELETE', `/api/workflow/${id}?reason=stop`)).status).toBeLessThan(300);
    const c = await eventually(
      () => wf(childId),
      (w) => w.status !== 'RUNNING',
    );
    expect(c.status).toBe('TERMINATED');
    expect((await wf(id)).status).toBe('TERMINATED');
  });

  it('runs an inline child definition (subWorkflowParam.workflowDefinition)', async () => {
    const inline = {
      ...child,
      name: 'inline_child',
      tasks: [{ name: 'noop', taskReferenceName: 'noop', type: 'NOOP' }],
      outputParameters: { doubled: 'inline' },
    };
    await s.req('PUT', '/api/metadata/workflow', [
      { ...parent({ subWorkflowParam: { name: 'inline_child', workflowDefinition: inline } }), name: 'inline_parent' },
    ]);
    const id = await start('inline_parent', { n: 1 });
    expect((await pollOne('after')).inputData).toEqual({ doubled: 'inline' });
    expect(await subTask(id)).toMatchObject({ status: 'COMPLETED' });
  });

  it('fails the SUB_WORKFLOW task for good when the child definition does not exist', async () => {
    await s.req('PUT', '/api/metadata/workflow', [{ ...parent({ subWorkflowParam: { name: 'nowhere' } }), name: 'lost_parent' }]);
    const id = await start('lost_parent', {});
    const w = await eventually(
      () => wf(id),
      (x) => x.status !== 'RUNNING',
    );
    expect(w.status).toBe('FAILED');
    expect(w.reasonForIncompletion).toMatch(/could not start workflow: .*nowhere/);
  });

  it('START_WORKFLOW starts a workflow and completes with its id without waiting for it', async () => {
    await s.req('PUT', '/api/metadata/workflow', [
      {
        name: 'launcher',
        version: 1,
        tasks: [
          {
            name: 'launch',
            taskReferenceName: 'launch',
            type: 'START_WORKFLOW',
            inputParameters: {
              startWorkflow: { name: 'child_flow', version: 1, input: { n: '${workflow.input.n}' }, correlationId: 'c-7' },
            },
          },
        ],
        outputParameters: { started: '${launch.output.workflowId}' },
      },
    ]);
    const id = await start('launcher', { n: 5 });
    const done = await eventually(
      () => wf(id),
      (w) => w.status !== 'RUNNING',
    );
    expect(done.status).toBe('COMPLETED');
    const started = done.output.started as string;
    const launched = await wf(started);
    expect(launched).toMatchObject({ workflowName: 'child_flow', status: 'RUNNING', correlationId: 'c-7', input: { n: 5 } });
    expect(launched.parentWorkflowId ?? null).toBeNull();
    expect((await pollOne('child_step')).workflowInstanceId).toBe(started);
  });
});
