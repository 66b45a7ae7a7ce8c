import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';

/** WAIT and HUMAN over REST, on a manual clock: timers fire in the sweeper, REST completes open waits. */
const flow = (wait: Record<string, unknown>, type = 'WAIT') => ({
  name: 'waiting',
  version: 1,
  tasks: [
    { name: 'hold', taskReferenceName: 'hold', type, ...wait },
    { name: 'after', taskReferenceName: 'after', type: 'SIMPLE', inputParameters: { approved: '${hold.output.approved}' } },
  ],
});

describe.each(storeKinds())('WAIT and HUMAN (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'after' }]);
  });
  afterEach(async () => {
    await p.close();
  });

  it('WAIT with a duration is IN_PROGRESS, engine-held and timed; the sweeper completes it when due, not before', async () => {
    await p.workflowDef(flow({ inputParameters: { duration: '1m 30s' } }));
    const id = await p.start('waiting');
    const [hold] = await p.tasksOf(id, 'hold');
    expect(hold).toMatchObject({ taskType: 'WAIT', status: 'IN_PROGRESS' });
    const stored = await p.engine.store.getTask(hold.taskId);
    expect(stored).toMatchObject({ queued: false, wakeAt: p.clock.now() + 90_000 });
    expect(await p.poll('WAIT')).toEqual([]);

    await p.tick(89_000);
    expect((await p.tasksOf(id, 'hold'))[0].status).toBe('IN_PROGRESS');
    await p.tick(1000);
    expect((await p.tasksOf(id, 'hold'))[0].status).toBe('COMPLETED');
    const after = await p.pollOne('after');
    expect((await p.report(after, 'COMPLETED')).status).toBe(200);
    expect((await p.workflow(id)).status).toBe('COMPLETED');
  });

  it('WAIT until a UTC date-time; a date already past completes at once', async () => {
    const at = p.clock.now() + 3_600_000;
    const d = new Date(at);
    const pad = (n: number) => String(n).padStart(2, '0');
    const until = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
    await p.workflowDef(flow({ inputParameters: { until: '${workflow.input.until}' } }));
    const id = await p.start('waiting', { until });
    const [hold] = await p.tasksOf(id, 'hold');
    expect((await p.engine.store.getTask(hold.taskId))?.wakeAt).toBe(at - (at % 60_000));

    const past = await p.start('waiting', { until: '2001-01-01T00:00:00Z' });
    expect((await p.tasksOf(past, 'hold'))[0].status).toBe('COMPLETED');
    expect(await p.poll('after')).toHaveLength(1);
  });

  it('fails a WAIT with a bad duration for good, with the reason', async () => {
    await p.workflowDef(flow({ inputParameters: { duration: 'soon' } }));
    const id = await p.start('waiting');
    const wf = await p.workflow(id);
    expect(wf.status).toBe('FAILED');
    expect(wf.reasonForIncompletion).toMatch(/invalid WAIT duration 'soon'/);
  });

  it('WAIT without a time is completed over REST by reference name, with the body as output', async () => {
    await p.workflowDef(flow({}));
    const id = await p.start('waiting');
    const [hold] = await p.tasksOf(id, 'hold');
    await p.tick(86_400_000);
    expect((await p.tasksOf(id, 'hold'))[0].status).toBe('IN_PROGRESS');

    const r = await p.s.req('POST', `/api/tasks/${id}/hold/COMPLETED`, { approved: true });
    expect(r.status).toBe(200);
    expect(r.text).toBe(hold.taskId);
    expect((await p.tasksOf(id, 'hold'))[0]).toMatchObject({ status: 'COMPLETED', outputData: { approved: true } });
    expect((await p.pollOne('after')).inputData).toEqual({ approved: true });

    // Not open any more: 409. Unknown ref or workflow: 404. Bad status: 400.
    expect((await p.s.req('POST', `/api/tasks/${id}/hold/COMPLETED`, {})).status).toBe(409);
    expect((await p.s.req('POST', `/api/tasks/${id}/nope/COMPLETED`, {})).status).toBe(404);
    expect((await p.s.req('POST', `/api/tasks/no-such-wf/hold/COMPLETED`, {})).status).toBe(404);
    expect((await p.s.req('POST', `/api/tasks/${id}/hold/SKIPPED`, {})).status).toBe(400);
  });

  it('a timed WAIT completed over REST first is not completed again by its timer', async () => {
    await p.workflowDef(flow({ inputParameters: { duration: '10s' } }));
    const id = await p.start('waiting');
    expect((await p.s.req('POST', `/api/tasks/${id}/hold/COMPLETED`, { approved: 'early' })).status).toBe(200);
    await p.tick(10_000);
    expect((await p.tasksOf(id, 'hold'))[0]).toMatchObject({ status: 'COMPLETED', outputData: { approved: 'early' } });
    expect(await p.poll('after', 5)).toHaveLength(1);
  });

  it('HUMAN is completed through POST /api/tasks by taskId without a token; progress reports and forged tokens are refused', async () => {
    await p.workflowDef(flow({}, 'HUMAN'));
    const id = await p.start('waiting');
    const [hold] = await p.tasksOf(id, 'hold');
    expect(hold).toMatchObject({ taskType: 'HUMAN', status: 'IN_PROGRESS' });
    // An IN_PROGRESS report would give it a lease it has no worker for: refused.
    expect((await p.s.req('POST', '/api/tasks', { taskId: hold.taskId, status: 'IN_PROGRESS' })).status).toBe(409);
    // A made-up token does not fit an engine-held task.
    expect((await p.s.req('POST', '/api/tasks', { taskId: hold.taskId, attemptToken: 'forged', status: 'COMPLETED' })).status).toBe(409);
    const r = await p.s.req('POST', '/api/tasks', { taskId: hold.taskId, status: 'COMPLETED', outputData: { approved: 'yes' } });
    expect(r.status).toBe(200);
    expect((await p.pollOne('after')).inputData).toEqual({ approved: 'yes' });
    // The same report again is a duplicate (idempotent), a different one is stale.
    expect(
      (await p.s.req('POST', '/api/tasks', { taskId: hold.taskId, status: 'COMPLETED', outputData: { approved: 'yes' } })).status,
    ).toBe(200);
    expect((await p.s.req('POST', '/api/tasks', { taskId: hold.taskId, status: 'FAILED' })).status).toBe(409);
  });

  it('HUMAN failed over REST fails the workflow with the given reason', async () => {
    await p.workflowDef(flow({}, 'HUMAN'));
    const id = await p.start('waiting');
    expect((await p.s.req('POST', `/api/tasks/${id}/hold/FAILED`, { reasonForIncompletion: 'rejected by reviewer' })).status).toBe(200);
    const wf = await p.workflow(id);
    expect(wf.status).toBe('FAILED');
    expect(wf.reasonForIncompletion).toBe('rejected by reviewer');
  });
});
