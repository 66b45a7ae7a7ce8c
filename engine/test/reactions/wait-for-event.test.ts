import { PolicyServer } from '../helpers/policy-server';
import { until } from './until';
import { storeKinds } from '../helpers/server';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** WAIT_FOR_EVENT on a manual clock: matching in the sandbox, the timeout as an output, exactly-once completion. */
const flow = {
  name: 'await_payment',
  version: 1,
  tasks: [
    {
      name: 'paid',
      taskReferenceName: 'paid',
      type: 'WAIT_FOR_EVENT',
      inputParameters: {
        event: 'payments',
        match: 'event.data.orderId === workflow.input.orderId && event.data.amount >= 10',
        timeout: '1m',
      },
    },
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType: 'javascript',
      expression: '$.timedOut ? "late" : "paid"',
      inputParameters: { timedOut: '${paid.output.timedOut}' },
      decisionCases: {
        paid: [{ name: 'ship', taskReferenceName: 'ship', inputParameters: { amount: '${paid.output.event.data.amount}' } }],
        late: [{ name: 'cancel', taskReferenceName: 'cancel' }],
      },
    },
  ],
};

describe.each(storeKinds())('WAIT_FOR_EVENT (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'ship' }, { name: 'cancel' }]);
    await p.workflowDef(flow);
  });
  afterEach(async () => {
    await p.close();
  });

  const publish = async (data: unknown) => (await p.s.req('POST', '/api/events', { name: 'payments', data })).body.id as string;
  const waitProcessed = (id: string) =>
    until(
      async () => (await p.s.req('GET', `/api/events/${id}`)).body,
      (e) => e.status === 'PROCESSED',
    );

  it('completes with the matching event only, ignores others, and is resumed once', async () => {
    const a = await p.start('await_payment', { orderId: 'A' });
    const b = await p.start('await_payment', { orderId: 'B' });
    const [held] = await p.tasksOf(a, 'paid');
    expect(held).toMatchObject({ status: 'IN_PROGRESS', taskType: 'WAIT_FOR_EVENT' });
    await until(
      () => p.engine.store.eventWaits('payments', '', 10),
      (w) => w.length === 2,
    );
    p.clock.advance(10);

    const other = await waitProcessed(await publish({ orderId: 'A', amount: 1 }));
    expect(other.resumed).toEqual([]);
    const match = await waitProcessed(await publish({ orderId: 'A', amount: 20 }));
    expect(match.resumed).toEqual([{ workflowId: a, taskId: held.taskId }]);
    const done = (await p.tasksOf(a, 'paid'))[0];
    expect(done).toMatchObject({ status: 'COMPLETED', outputData: { event: { name: 'payments', data: { orderId: 'A', amount: 20 } } } });
    const ship = await p.pollOne('ship');
    expect(ship).toMatchObject({ workflowInstanceId: a, inputData: { amount: 20 } });
    // B still waits; a second matching event for A finds no waiter.
    expect((await p.tasksOf(b, 'paid'))[0].status).toBe('IN_PROGRESS');
    expect((await waitProcessed(await publish({ orderId: 'A', amount: 30 }))).resumed).toEqual([]);
  });

  it('ignores events published before the step started; catches up with one it missed while unregistered (a crash)', async () => {
    const early = await publish({ orderId: 'C', amount: 50 });
    await waitProcessed(early);
    p.clock.advance(1000);
    const c = await p.start('await_payment', { orderId: 'C' });
    await until(
      () => p.engine.store.eventWaits('payments', '', 10),
      (w) => w.length === 1,
    );
    expect((await p.tasksOf(c, 'paid'))[0].status).toBe('IN_PROGRESS');

    // As if the engine had stopped between the commit and registering the wait: no registration,
    // the task's first timer (the safety net) still set.
    const [task] = await p.tasksOf(c, 'paid');
    const stored = (await p.engine.store.getTask(task.taskId))!;
    await p.engine.store.deleteWait(task.taskId);
    await p.engine.store.rescheduleEngineTask(task.taskId, { wakeAt: stored.wakeAt }, p.clock.now() + 5000, p.clock.now());
    const late = await publish({ orderId: 'C', amount: 60 });
    expect((await waitProcessed(late)).resumed).toEqual([]);
    expect((await p.tasksOf(c, 'paid'))[0].status).toBe('IN_PROGRESS');
    await p.tick(5000);
    const done = await until(
      async () => (await p.tasksOf(c, 'paid'))[0],
      (t) => t.status === 'COMPLETED',
    );
    expect(done.outputData.event.id).toBe(late);
    expect((await p.s.req('GET', `/api/events/${late}`)).body.resumed).toEqual([{ workflowId: c, taskId: task.taskId }]);
  });

  it('times out into {timedOut: true} (COMPLETED, not FAILED), and a SWITCH branches on it', async () => {
    const id = await p.start('await_payment', { orderId: 'D' });
    await until(
      () => p.engine.store.eventWaits('payments', '', 10),
      (w) => w.length === 1,
    );
    await p.tick(59_000);
    expect((await p.tasksOf(id, 'paid'))[0].status).toBe('IN_PROGRESS');
    await p.tick(1_000);
    expect((await p.tasksOf(id, 'paid'))[0]).toMatchObject({ status: 'COMPLETED', outputData: { timedOut: true } });
    expect((await p.pollOne('cancel')).workflowInstanceId).toBe(id);
    // An event after the timeout changes nothing.
    expect((await waitProcessed(await publish({ orderId: 'D', amount: 99 }))).resumed).toEqual([]);
  });

  it('a match that throws does not match (and is logged), and a bad timeout fails the step for good', async () => {
    await p.workflowDef({
      ...flow,
      name: 'broken',
      tasks: [{ ...flow.tasks[0], inputParameters: { event: 'payments', match: 'event.data.nope.deeper === 1' } }],
    });
    const id = await p.start('broken');
    await until(
      () => p.engine.store.eventWaits('payments', '', 10),
      (w) => w.length === 1,
    );
    expect((await waitProcessed(await publish({ x: 1 }))).resumed).toEqual([]);
    expect((await p.tasksOf(id, 'paid'))[0].status).toBe('IN_PROGRESS');

    await p.workflowDef({
      ...flow,
      name: 'bad_timeout',
      tasks: [{ ...flow.tasks[0], inputParameters: { event: 'payments', timeout: '${workflow.input.t}' } }],
    });
    const bad = await p.start('bad_timeout', { t: 'soon' });
    expect(await p.workflow(bad)).toMatchObject({
      status: 'FAILED',
      reasonForIncompletion: expect.stringMatching(/invalid timeout 'soon'/),
    });
    const refused = await p.s.req('PUT', '/api/metadata/workflow', [
      { ...flow, name: 'x', tasks: [{ ...flow.tasks[0], inputParameters: { event: 'payments', timeout: 'later' } }] },
    ]);
    expect(refused.body.errors).toEqual([
      { pointer: '/0/tasks/0/inputParameters/timeout', message: expect.stringMatching(/must be a duration/) },
    ]);
  });
});
