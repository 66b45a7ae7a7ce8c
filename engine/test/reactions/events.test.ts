import { PolicyServer } from '../helpers/policy-server';
import { until } from './until';
import { storeKinds } from '../helpers/server';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** Events and Conductor's event handlers over REST, on both stores. */
describe.each(storeKinds())('events and event handlers (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'ship' }]);
    await p.workflowDef({
      name: 'on_order',
      version: 1,
      tasks: [{ name: 'ship', taskReferenceName: 'ship', inputParameters: { order: '${workflow.input.orderId}' } }],
    });
    await p.workflowDef({
      name: 'hold',
      version: 1,
      tasks: [
        { name: 'gate', taskReferenceName: 'gate', type: 'WAIT' },
        { name: 'ship', taskReferenceName: 'ship' },
      ],
    });
  });
  afterEach(async () => {
    await p.close();
  });

  const publish = (name: string, data: unknown, id?: string) => p.s.req('POST', '/api/events', { name, data, ...(id ? { id } : {}) });
  const processed = async (id: string) =>
    until(
      async () => (await p.s.req('GET', `/api/events/${id}`)).body,
      (e) => e?.status === 'PROCESSED',
    );

  it('keeps handler CRUD to Conductor: 409 for a name that exists, 404 for an update of none, 400 naming the field', async () => {
    const h = {
      name: 'start_on_order',
      event: 'conductor:orders',
      actions: [{ action: 'start_workflow', start_workflow: { name: 'on_order', input: { orderId: '${id}' } } }],
    };
    expect((await p.s.req('POST', '/api/event', h)).status).toBe(200);
    expect((await p.s.req('POST', '/api/event', h)).status).toBe(409);
    expect((await p.s.req('PUT', '/api/event', { ...h, name: 'nope' })).status).toBe(404);
    expect((await p.s.req('PUT', '/api/event', { ...h, active: false })).status).toBe(200);
    expect((await p.s.req('GET', '/api/event')).body).toEqual([{ ...h, active: false }]);
    expect((await p.s.req('GET', '/api/event/conductor:orders')).body).toEqual([]);
    expect((await p.s.req('GET', '/api/event/conductor:orders?activeOnly=false')).body).toHaveLength(1);

    const bad = await p.s.req('POST', '/api/event', { ...h, name: 'x', event: 'sqs:orders' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/event', message: expect.stringMatching(/conductor:<event name>/) }]);
    const append = await p.s.req('POST', '/api/event', {
      name: 'y',
      event: 'conductor:orders',
      actions: [
        { action: 'update_workflow_variables', update_workflow_variables: { workflowId: '${wf}', variables: { a: 1 }, appendArray: true } },
      ],
    });
    expect(append.status).toBe(400);
    expect(append.body.errors[0].pointer).toBe('/actions/0/update_workflow_variables/appendArray');
    const noActions = await p.s.req('POST', '/api/event', { name: 'z', event: 'conductor:orders', actions: [] });
    expect(noActions.body.errors).toEqual([{ pointer: '/actions', message: 'must have at least 1 item' }]);
    expect((await p.s.req('DELETE', '/api/event/start_on_order')).status).toBe(200);
    expect((await p.s.req('DELETE', '/api/event/start_on_order')).status).toBe(404);
  });

  it('an event starts a workflow per active handler whose condition holds, with ${x} reading data.x, once per event id', async () => {
    await p.s.req('POST', '/api/event', {
      name: 'big_orders',
      event: 'conductor:orders',
      condition: '$.total > 100',
      actions: [
        {
          action: 'start_workflow',
          start_workflow: { name: 'on_order', input: { orderId: '${id}', customer: '${customer.name}' }, correlationId: '${id}' },
        },
      ],
    });
    await p.s.req('POST', '/api/event', {
      name: 'inactive',
      event: 'conductor:orders',
      active: false,
      actions: [{ action: 'start_workflow', start_workflow: { name: 'on_order' } }],
    });
    const first = await publish('orders', { id: 'A-1', total: 250, customer: { name: 'Ada' } }, 'evt-1');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: 'evt-1', created: true });
    p.clock.advance(1000);
    const small = await publish('orders', { id: 'A-2', total: 5, customer: { name: 'Bob' } });
    const e1 = await processed('evt-1');
    expect(e1.started).toHaveLength(1);
    const run = await p.workflow(e1.started[0]);
    expect(run).toMatchObject({ workflowName: 'on_order', input: { orderId: 'A-1', customer: 'Ada' }, correlationId: 'A-1' });
    const e2 = await processed(small.body.id);
    expect(e2.started).toEqual([]);
    expect(e2.effects).toEqual([expect.objectContaining({ key: 'big_orders#condition', status: 'SKIPPED' })]);

    // The same id again: stored once, acted on once.
    expect((await publish('orders', { id: 'A-1', total: 250 }, 'evt-1')).body).toEqual({ id: 'evt-1', created: false });
    const listed = (await p.s.req('GET', '/api/events?name=orders')).body;
    expect(listed.map((e: any) => e.id)).toEqual([small.body.id, 'evt-1']);
    const runs = await p.s.req('GET', '/api/workflow/search?query=workflowType%20IN%20(on_order)');
    expect(runs.body.totalHits).toBe(1);

    // Replay: a new event with the same name and data, acted on again.
    const replay = await p.s.req('POST', '/api/events/evt-1/replay');
    expect(replay.status).toBe(202);
    const again = await processed(replay.body.id);
    expect(again).toMatchObject({ source: 'replay:evt-1', data: { id: 'A-1', total: 250, customer: { name: 'Ada' } } });
    expect(again.started).toHaveLength(1);
    expect(again.started[0]).not.toBe(e1.started[0]);
    expect((await p.s.req('POST', '/api/events/nope/replay')).status).toBe(404);
  });

  it('complete_task, fail_task, terminate_workflow and update_workflow_variables act on the workflows the data names', async () => {
    const ids = [await p.start('hold'), await p.start('hold'), await p.start('hold'), await p.start('hold')];
    await p.s.req('POST', '/api/event', {
      name: 'control',
      event: 'conductor:control',
      actions: [
        { action: 'complete_task', complete_task: { workflowId: '${done}', taskRefName: 'gate', output: { by: '${who}' } } },
        { action: 'fail_task', fail_task: { workflowId: '${failed}', taskRefName: 'gate', reasonForIncompletion: 'no stock' } },
        { action: 'terminate_workflow', terminate_workflow: { workflowId: '${stopped}', terminationReason: 'cancelled by ${who}' } },
        { action: 'update_workflow_variables', update_workflow_variables: { workflowId: '${tagged}', variables: { tag: '${who}' } } },
      ],
    });
    const e = await publish('control', { done: ids[0], failed: ids[1], stopped: ids[2], tagged: ids[3], who: 'ops' });
    const view = await processed(e.body.id);
    expect(view.effects.map((x: any) => [x.key, x.status])).toEqual([
      ['control#0', 'DONE'],
      ['control#1', 'DONE'],
      ['control#2', 'DONE'],
      ['control#3', 'DONE'],
    ]);
    expect((await p.tasksOf(ids[0]!, 'gate'))[0]).toMatchObject({ status: 'COMPLETED', outputData: { by: 'ops' } });
    expect(await p.poll('ship')).toHaveLength(1);
    expect(await p.workflow(ids[1]!)).toMatchObject({ status: 'FAILED', reasonForIncompletion: 'no stock' });
    expect(await p.workflow(ids[2]!)).toMatchObject({ status: 'TERMINATED', reasonForIncompletion: 'cancelled by ops' });
    expect((await p.workflow(ids[3]!)).variables).toEqual({ tag: 'ops' });
    expect(view.resumed.map((r: any) => r.workflowId).sort()).toEqual([ids[0], ids[1]].sort());

    // A second event naming the same (now closed) task fails that action, with the reason.
    const again = await processed(
      (await publish('control', { done: ids[0], failed: 'none', stopped: ids[2], tagged: 'none', who: 'x' })).body.id,
    );
    expect(again.effects.map((x: any) => x.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    expect(again.effects[0].error).toMatch(/no open task 'gate'/);
  });

  it('a start_workflow action with an idempotencyKey starts one run per key, across events', async () => {
    await p.s.req('POST', '/api/event', {
      name: 'once',
      event: 'conductor:orders',
      actions: [
        {
          action: 'start_workflow',
          start_workflow: {
            name: 'on_order',
            input: { orderId: '${id}' },
            idempotencyKey: '${id}',
            idempotencyStrategy: 'RETURN_EXISTING',
          },
        },
      ],
    });
    const a = await processed((await publish('orders', { id: 'K-1' })).body.id);
    const b = await processed((await publish('orders', { id: 'K-1' })).body.id);
    expect(a.started).toHaveLength(1);
    expect(b.started).toEqual(a.started);
    const failing = {
      name: 'once',
      event: 'conductor:orders',
      actions: [{ action: 'start_workflow', start_workflow: { name: 'on_order', idempotencyKey: '${id}' } }],
    };
    await p.s.req('PUT', '/api/event', failing);
    const c = await processed((await publish('orders', { id: 'K-1' })).body.id);
    expect(c.effects[0]).toMatchObject({
      status: 'FAILED',
      workflowId: a.started[0],
      error: expect.stringMatching(/idempotencyKey 'K-1'/),
    });
  });

  it('the EVENT task publishes its input to conductor:<name> and completes; other sinks are refused at registration', async () => {
    await p.workflowDef({
      name: 'notify',
      version: 1,
      tasks: [
        {
          name: 'emit',
          taskReferenceName: 'emit',
          type: 'EVENT',
          sink: 'conductor:orders',
          inputParameters: { id: '${workflow.input.id}' },
        },
      ],
    });
    await p.s.req('POST', '/api/event', {
      name: 'start',
      event: 'conductor:orders',
      actions: [{ action: 'start_workflow', start_workflow: { name: 'on_order', input: { orderId: '${id}' } } }],
    });
    const id = await p.start('notify', { id: 'E-7' });
    const wf = await until(
      () => p.workflow(id),
      (w) => w.status === 'COMPLETED',
    );
    const emit = wf.tasks[0];
    expect(emit).toMatchObject({
      taskType: 'EVENT',
      status: 'COMPLETED',
      outputData: { event_produced: 'conductor:orders', eventName: 'orders' },
    });
    const e = await processed(emit.outputData.eventId);
    expect(e).toMatchObject({
      name: 'orders',
      source: `task:${emit.taskId}`,
      data: { id: 'E-7', workflowInstanceId: id, workflowType: 'notify' },
    });
    expect((await p.workflow(e.started[0])).input).toEqual({ orderId: 'E-7' });

    const bad = await p.s.req('PUT', '/api/metadata/workflow', [
      { name: 'bad', tasks: [{ name: 'e', taskReferenceName: 'e', type: 'EVENT', sink: 'sqs:queue' }] },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/0/tasks/0/sink', message: expect.stringMatching(/conductor:<event name>/) }]);
  });

  it('refuses bad events with 400 naming the field, and an oversized payload with 413', async () => {
    expect((await p.s.req('POST', '/api/events', { data: {} })).body.errors).toEqual([{ pointer: '/name', message: 'is required' }]);
    expect((await p.s.req('POST', '/api/events', { name: 'has space' })).status).toBe(400);
    expect((await p.s.req('POST', '/api/events', 'name=x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await p.s.req('GET', '/api/events/unknown')).status).toBe(404);
  });
});
