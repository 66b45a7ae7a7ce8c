import { PolicyServer } from '../helpers/policy-server';
import { until } from './until';
import { storeKinds } from '../helpers/server';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** Signals: a durable ordered inbox per workflow, WAIT_FOR_SIGNAL, and Conductor's signal to the blocked task. */
const flow = {
  name: 'two_signals',
  version: 1,
  tasks: [
    { name: 'first', taskReferenceName: 'first', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go', timeout: '1m' } },
    { name: 'second', taskReferenceName: 'second', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go' } },
    { name: 'after', taskReferenceName: 'after', inputParameters: { a: '${first.output.payload}', b: '${second.output.payload}' } },
  ],
};

describe.each(storeKinds())('signals (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'after' }]);
    await p.workflowDef(flow);
    await p.workflowDef({
      name: 'waits',
      version: 1,
      tasks: [
        { name: 'gate', taskReferenceName: 'gate', type: 'WAIT' },
        { name: 'after', taskReferenceName: 'after' },
      ],
    });
  });
  afterEach(async () => {
    await p.close();
  });

  const signal = (id: string, name: string, payload: unknown, query = '') =>
    p.s.req('POST', `/api/workflow/${id}/signal/${name}${query}`, payload);

  it('buffers signals in order: each WAIT_FOR_SIGNAL takes the oldest one of its name, whenever it arrived', async () => {
    const id = await p.start('two_signals');
    const r1 = await signal(id, 'go', { n: 1 });
    expect(r1.status).toBe(202);
    expect(r1.body).toMatchObject({ workflowId: id, name: 'go', seq: 1 });
    await signal(id, 'other', { n: 'x' });
    await signal(id, 'go', { n: 2 });
    const tasks = await until(
      () => p.tasksOf(id),
      (ts) => ts.some((t) => t.referenceTaskName === 'after'),
    );
    expect(tasks.find((t) => t.referenceTaskName === 'first')).toMatchObject({
      status: 'COMPLETED',
      outputData: { signal: 'go', payload: { n: 1 }, seq: 1 },
    });
    expect(tasks.find((t) => t.referenceTaskName === 'second')).toMatchObject({
      status: 'COMPLETED',
      outputData: { payload: { n: 2 }, seq: 3 },
    });
    expect((await p.pollOne('after')).inputData).toEqual({ a: { n: 1 }, b: { n: 2 } });
    const inbox = (await p.s.req('GET', `/api/workflow/${id}/signals`)).body;
    expect(inbox.map((s: any) => [s.seq, s.name, s.consumedAt > 0])).toEqual([
      [1, 'go', true],
      [2, 'other', false],
      [3, 'go', true],
    ]);
  });

  it('a signal sent before the workflow waits is kept until a step takes it; a signalId makes a send idempotent', async () => {
    await p.workflowDef({
      name: 'later',
      version: 1,
      tasks: [{ name: 'gate', taskReferenceName: 'gate', type: 'WAIT' }, flow.tasks[0]!, { name: 'after', taskReferenceName: 'after' }],
    });
    const id = await p.start('later');
    expect((await signal(id, 'go', { early: true }, '?signalId=s-1')).body.seq).toBe(1);
    expect((await signal(id, 'go', { early: 'again' }, '?signalId=s-1')).body).toMatchObject({ seq: 1, signalId: 's-1' });
    await p.s.req('POST', `/api/tasks/${id}/gate/COMPLETED`, {});
    // The step is armed right after the decision that opened it commits, in the background.
    const first = await until(
      async () => (await p.tasksOf(id, 'first'))[0],
      (t) => t?.status === 'COMPLETED',
    );
    expect(first).toMatchObject({ status: 'COMPLETED', outputData: { payload: { early: true }, signalId: 's-1' } });
    expect((await p.s.req('GET', `/api/workflow/${id}/signals`)).body).toHaveLength(1);
  });

  it('times out into {timedOut: true}; a later signal stays in the inbox for the next step', async () => {
    const id = await p.start('two_signals');
    await until(
      () => p.engine.store.signalWaits(id, 'go'),
      (w) => w.length === 1,
    );
    await p.tick(60_000);
    // A sweeper pass of the engine's own may be running when the test's starts (a loaded machine
    // makes that likely): sweep again until the timed-out step shows.
    const timedOut = await until(
      async () => {
        const t = (await p.tasksOf(id, 'first'))[0];
        if (t?.status !== 'COMPLETED') await p.tick(0);
        return t;
      },
      (t) => t?.status === 'COMPLETED',
    );
    expect(timedOut).toMatchObject({ status: 'COMPLETED', outputData: { timedOut: true } });
    await until(
      async () => (await p.tasksOf(id, 'second'))[0],
      (t) => t !== undefined,
    );
    await until(
      () => p.engine.store.signalWaits(id, 'go'),
      (w) => w.length === 1,
    );
    await signal(id, 'go', { n: 'late' });
    expect((await p.tasksOf(id, 'second'))[0]).toMatchObject({ status: 'COMPLETED', outputData: { payload: { n: 'late' } } });
  });

  it('a restarted run waits for new signals: its steps (same task ids) do not get the ones consumed before', async () => {
    const id = await p.start('two_signals');
    await signal(id, 'go', { n: 1 });
    await signal(id, 'go', { n: 2 });
    const [after] = await until(
      () => p.poll('after'),
      (ts) => ts.length === 1,
    );
    await p.report(after, 'COMPLETED');
    expect(
      (
        await until(
          () => p.workflow(id),
          (w) => w.status === 'COMPLETED',
        )
      ).status,
    ).toBe('COMPLETED');
    expect((await p.s.req('POST', `/api/workflow/${id}/restart`)).status).toBe(204);
    await until(
      () => p.engine.store.signalWaits(id, 'go'),
      (w) => w.length === 1,
    );
    expect((await p.tasksOf(id, 'first'))[0].status).toBe('IN_PROGRESS');
    await signal(id, 'go', { n: 3 });
    const first = await until(
      async () => (await p.tasksOf(id, 'first'))[0],
      (t) => t.status === 'COMPLETED',
    );
    expect(first.outputData).toMatchObject({ payload: { n: 3 }, seq: 3 });
  });

  it('refuses signals to a finished workflow (409) and to none (404)', async () => {
    const id = await p.start('two_signals');
    await p.s.req('DELETE', `/api/workflow/${id}`);
    const r = await signal(id, 'go', {});
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/TERMINATED/);
    expect((await signal('no-such-workflow', 'go', {})).status).toBe(404);
  });

  it("Conductor's /api/tasks/{id}/{status}/signal completes the blocked WAIT, merging the body into its output", async () => {
    const id = await p.start('waits');
    expect((await p.s.req('POST', `/api/tasks/${id}/COMPLETED/signal`, { approved: true })).status).toBe(200);
    expect((await p.tasksOf(id, 'gate'))[0]).toMatchObject({ status: 'COMPLETED', outputData: { approved: true } });
    const none = await p.s.req('POST', `/api/tasks/${id}/COMPLETED/signal`, {});
    expect(none.status).toBe(409);
    expect((await p.s.req('POST', `/api/tasks/${id}/SKIPPED/signal`, {})).status).toBe(400);
  });

  it('the /sync form answers after the workflow blocks again or ends, per returnStrategy', async () => {
    await p.workflowDef({
      name: 'two_gates',
      version: 1,
      tasks: [
        { name: 'g1', taskReferenceName: 'g1', type: 'WAIT' },
        { name: 'g2', taskReferenceName: 'g2', type: 'WAIT', inputParameters: { asked: '${g1.output.q}' } },
      ],
    });
    const id = await p.start('two_gates');
    const task = await p.s.req('POST', `/api/tasks/${id}/COMPLETED/signal/sync?returnStrategy=BLOCKING_TASK_INPUT`, { q: 'size?' });
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({
      responseType: 'BLOCKING_TASK_INPUT',
      targetWorkflowId: id,
      targetWorkflowStatus: 'RUNNING',
      input: { asked: 'size?' },
      signalTimeout: false,
    });
    const wf = await p.s.req('POST', `/api/tasks/${id}/COMPLETED/signal/sync`, { done: true });
    expect(wf.body).toMatchObject({
      responseType: 'TARGET_WORKFLOW',
      workflowId: id,
      status: 'COMPLETED',
      targetWorkflowStatus: 'COMPLETED',
      signalTimeout: false,
    });
  });
});
