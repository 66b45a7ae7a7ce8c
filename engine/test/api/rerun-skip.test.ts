import { eventually } from '../helpers/eventually';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/** Conductor's rerun and skip-task, over real HTTP, on every store. */
describe.each(storeKinds())('rerun and skip a task (%s)', (kind) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer(kind);
    const r = await s.req('PUT', '/api/metadata/workflow', [
      {
        name: 'three_steps',
        version: 1,
        tasks: [
          { name: 'one', taskReferenceName: 'a', type: 'SIMPLE', inputParameters: { x: '${workflow.input.x}' } },
          { name: 'two', taskReferenceName: 'b', type: 'SIMPLE', inputParameters: { y: '${a.output.y}' } },
          { name: 'three', taskReferenceName: 'c', type: 'SIMPLE', inputParameters: { z: '${b.output.z}' } },
        ],
        outputParameters: { z: '${c.output.z}' },
      },
    ]);
    expect(r.status).toBe(200);
  });
  afterEach(() => s.close());

  const poll = async (type: string): Promise<any> => {
    const r = await s.req('GET', `/api/tasks/poll/batch/${type}?workerid=w1&count=1&timeout=2000`);
    return (r.body as any[])[0];
  };
  const finish = async (type: string, output: Record<string, unknown>): Promise<any> => {
    const t = await poll(type);
    expect(t).toBeDefined();
    const r = await s.req('POST', '/api/tasks', {
      taskId: t.taskId,
      workerId: 'w1',
      attemptToken: t.attemptToken,
      status: 'COMPLETED',
      outputData: output,
    });
    expect(r.status).toBe(200);
    return t;
  };
  const workflow = (id: string) => s.req('GET', `/api/workflow/${id}`);
  const status = async (id: string, want: string) =>
    (
      await eventually(
        () => workflow(id),
        (r) => r.body.status === want,
      )
    ).body;

  it('reruns an ended workflow from a task, with a new input for it; the earlier attempts stay', async () => {
    const id = (await s.req('POST', '/api/workflow/three_steps', { x: 1 })).text;
    await finish('one', { y: 2 });
    const b = await finish('two', { z: 3 });
    await finish('three', { z: 4 });
    expect((await status(id, 'COMPLETED')).output).toEqual({ z: 4 });

    const r = await s.req('POST', `/api/workflow/${id}/rerun`, { reRunFromTaskId: b.taskId, taskInput: { again: true } });
    expect(r.status).toBe(200);
    expect(r.text).toBe(id);
    const b2 = await poll('two');
    expect(b2.taskId).not.toBe(b.taskId);
    expect(b2.inputData).toEqual({ y: 2, again: true });
    await s.req('POST', '/api/tasks', {
      taskId: b2.taskId,
      workerId: 'w1',
      attemptToken: b2.attemptToken,
      status: 'COMPLETED',
      outputData: { z: 5 },
    });
    await finish('three', { z: 6 });
    const wf = await status(id, 'COMPLETED');
    expect(wf.output).toEqual({ z: 6 });
    expect(wf.tasks.filter((t: any) => t.referenceTaskName === 'b').map((t: any) => t.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it("refuses a rerun from another workflow's task (404) or naming another workflow (400)", async () => {
    const id = (await s.req('POST', '/api/workflow/three_steps', { x: 1 })).text;
    const other = (await s.req('POST', '/api/workflow/three_steps', { x: 2 })).text;
    const t = await poll('one');
    const mine = t.workflowInstanceId === id;
    const r = await s.req('POST', `/api/workflow/${mine ? other : id}/rerun`, { reRunFromTaskId: t.taskId });
    expect(r.status).toBe(404);
    const bad = await s.req('POST', `/api/workflow/${id}/rerun`, { reRunFromWorkflowId: 'someone-else' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/reRunFromWorkflowId');
  });

  it("skips an open step (its worker's late report is refused) and a step not reached yet", async () => {
    const id = (await s.req('POST', '/api/workflow/three_steps', { x: 1 })).text;
    const a = await poll('one');
    expect((await s.req('PUT', `/api/workflow/${id}/skiptask/a`, { taskOutput: { y: 'skipped' } })).status).toBe(200);
    expect((await s.req('PUT', `/api/workflow/${id}/skiptask/c`, { taskOutput: { z: 'given' } })).status).toBe(200);
    const late = await s.req('POST', '/api/tasks', {
      taskId: a.taskId,
      workerId: 'w1',
      attemptToken: a.attemptToken,
      status: 'COMPLETED',
      outputData: {},
    });
    expect(late.status).toBe(409);
    const b = await poll('two');
    expect(b.inputData).toEqual({ y: 'skipped' });
    await s.req('POST', '/api/tasks', {
      taskId: b.taskId,
      workerId: 'w1',
      attemptToken: b.attemptToken,
      status: 'COMPLETED',
      outputData: {},
    });
    const wf = await status(id, 'COMPLETED');
    expect(wf.output).toEqual({ z: 'given' });
    expect(wf.tasks.map((t: any) => [t.referenceTaskName, t.status])).toEqual([
      ['a', 'SKIPPED'],
      ['b', 'COMPLETED'],
      ['c', 'SKIPPED'],
    ]);
    expect((await s.req('PUT', `/api/workflow/${id}/skiptask/b`, {})).status).toBe(409);
  });
});
