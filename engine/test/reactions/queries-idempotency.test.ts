import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** Workflow queries (jq over the run's state) and idempotent starts on every start route. */
describe.each(storeKinds())('queries and idempotent start (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'cook' }, { name: 'deliver' }]);
    await p.workflowDef({
      name: 'order',
      version: 1,
      tasks: [
        { name: 'cook', taskReferenceName: 'cook' },
        { name: 'deliver', taskReferenceName: 'deliver' },
      ],
      variables: { stage: 'new' },
      queries: {
        stage:
          'if .tasks.deliver.status == "COMPLETED" then "delivered" elif .tasks.cook.status == "COMPLETED" then "on its way" else "cooking" end',
        summary: '{id: .input.orderId, status, cookedBy: .tasks.cook.output.chef}',
        broken: '.input.orderId | error("no such order")',
      },
    });
  });
  afterEach(async () => {
    await p.close();
  });

  const query = (id: string, name: string) => p.s.req('GET', `/api/workflow/${id}/query/${name}`);

  it('answers a query from the run as it stands, changing nothing', async () => {
    const id = await p.start('order', { orderId: 'O-1' });
    expect((await query(id, 'stage')).body).toBe('cooking');
    const cook = await p.pollOne('cook');
    await p.report(cook, 'COMPLETED', { outputData: { chef: 'Mo' } });
    expect((await query(id, 'stage')).body).toBe('on its way');
    expect((await query(id, 'summary')).body).toEqual({ id: 'O-1', status: 'RUNNING', cookedBy: 'Mo' });
    await p.report(await p.pollOne('deliver'), 'COMPLETED');
    // Reads only: queries write nothing (the revision counts every write to the run).
    const before = (await p.engine.store.getWorkflow(id))?.revision;
    expect((await query(id, 'stage')).body).toBe('delivered');
    expect((await query(id, 'summary')).body.status).toBe('COMPLETED');
    expect((await p.engine.store.getWorkflow(id))?.revision).toBe(before);
  });

  it('is 404 for an unknown query or workflow and 422 with jq message for a failing expression', async () => {
    const id = await p.start('order', { orderId: 'O-2' });
    const unknown = await query(id, 'nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/has no query 'nope' \(it has: stage, summary, broken\)/);
    expect((await query('no-such-run', 'stage')).status).toBe(404);
    const failing = await query(id, 'broken');
    expect(failing.status).toBe(422);
    expect(failing.body).toMatchObject({ code: 'QUERY_FAILED', detail: expect.stringMatching(/no such order/) });
    const badName = await p.s.req('PUT', '/api/metadata/workflow', [
      { name: 'q', tasks: [{ name: 'cook', taskReferenceName: 'cook' }], queries: { 'has space': '.' } },
    ]);
    expect(badName.body.errors).toEqual([{ pointer: '/0/queries/has space', message: expect.stringMatching(/query names/) }]);
  });

  it('FAIL answers 409 naming the run; RETURN_EXISTING answers its id; on every start route', async () => {
    const body = { name: 'order', input: { orderId: 'I-1' }, idempotencyKey: 'order-I-1' };
    const first = await p.s.req('POST', '/api/workflow', body);
    expect(first.status).toBe(200);
    const dup = await p.s.req('POST', '/api/workflow', body);
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ workflowId: first.text, detail: expect.stringContaining(first.text) });
    expect((await p.s.req('POST', '/api/workflow', { ...body, idempotencyStrategy: 'RETURN_EXISTING' })).text).toBe(first.text);
    // By name with query parameters, and through execute.
    const byName = await p.s.req('POST', '/api/workflow/order?idempotencyKey=order-I-1&idempotencyStrategy=RETURN_EXISTING', {
      orderId: 'other',
    });
    expect(byName.text).toBe(first.text);
    expect((await p.s.req('POST', '/api/workflow/order?idempotencyKey=order-I-1', {})).status).toBe(409);
    const exec = await p.s.req('POST', '/api/workflow/execute/order/1?waitForSeconds=0', {
      ...body,
      idempotencyStrategy: 'RETURN_EXISTING',
    });
    expect(exec.body.workflowId).toBe(first.text);
    // One run only, with the first input; another key or another workflow name is another run.
    expect((await p.workflow(first.text)).input).toEqual({ orderId: 'I-1' });
    expect((await p.s.req('POST', '/api/workflow', { ...body, idempotencyKey: 'order-I-2' })).text).not.toBe(first.text);
    const racing = await Promise.all(
      Array.from({ length: 8 }, () => p.s.req('POST', '/api/workflow', { ...body, idempotencyKey: 'race' })),
    );
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racing.filter((r) => r.status === 409)).toHaveLength(7);
  });

  it('refuses FAIL_ON_RUNNING and unknown strategies with 400 naming the field', async () => {
    const r = await p.s.req('POST', '/api/workflow', { name: 'order', idempotencyKey: 'k', idempotencyStrategy: 'FAIL_ON_RUNNING' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { pointer: '/idempotencyStrategy', message: expect.stringMatching(/FAIL_ON_RUNNING is not supported/) },
    ]);
    const q = await p.s.req('POST', '/api/workflow/order?idempotencyKey=k&idempotencyStrategy=MAYBE', {});
    expect(q.body.errors).toEqual([{ pointer: '/query/idempotencyStrategy', message: 'must be FAIL or RETURN_EXISTING' }]);
    const schema = await p.s.req('POST', '/api/workflow', { name: 'order', idempotencyKey: 'k', idempotencyStrategy: 'MAYBE' });
    expect(schema.body.errors[0]).toMatchObject({ pointer: '/idempotencyStrategy' });
  });
});
