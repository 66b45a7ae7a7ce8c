import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '@baton/definitions';
import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';
import { until } from './until';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** The shipped example definitions/examples/food-delivery.yaml, driven end to end on a manual clock. */
const examples = join(__dirname, '../../../definitions/examples');
const yaml = (file: string): unknown => {
  const v = parseDocument(readFileSync(join(examples, file), 'utf8'), 'application/yaml');
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.value;
};

describe.each(storeKinds())('the food-delivery example (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs(yaml('food-delivery-taskdefs.yaml') as Array<Record<string, unknown>>);
    await p.workflowDef(yaml('food-delivery.yaml') as Record<string, unknown>);
  });
  afterEach(async () => {
    await p.close();
  });

  const order = (orderId: string) =>
    p.s.req('POST', '/api/workflow', {
      name: 'food_delivery',
      input: { orderId, customerId: 'c-1', amount: 23.5 },
      idempotencyKey: orderId,
      idempotencyStrategy: 'RETURN_EXISTING',
    });
  const status = async (id: string) => (await p.s.req('GET', `/api/workflow/${id}/query/status`)).body as string;
  const signal = (id: string, name: string, payload: unknown) => p.s.req('POST', `/api/workflow/${id}/signal/${name}`, payload);
  const work = async (type: string, output: Record<string, unknown>) => {
    const t = await until(
      () => p.poll(type),
      (ts) => ts.length === 1,
    );
    expect((await p.report(t[0], 'COMPLETED', { outputData: output })).status).toBe(200);
    return t[0];
  };

  it('charges, waits for pickup and delivery, sleeps, asks for a rating; the status query follows every stage', async () => {
    const id = (await order('F-1')).text;
    expect((await order('F-1')).text).toBe(id);
    expect(await status(id)).toBe('charging the card');
    await work('charge_card', { chargeId: 'ch-1' });
    expect(
      await until(
        () => status(id),
        (s) => s === 'waiting for a courier',
      ),
    ).toBe('waiting for a courier');
    await until(
      () => p.engine.store.signalWaits(id, 'pickedUp'),
      (w) => w.length === 1,
    );
    await p.tick(30_000);
    expect((await signal(id, 'pickedUp', { courier: 'Kim' })).status).toBe(202);
    expect(
      await until(
        () => status(id),
        (s) => s === 'on the way',
      ),
    ).toBe('on the way');
    await signal(id, 'delivered', { at: 'door' });
    expect(
      await until(
        () => status(id),
        (s) => s === 'delivered',
      ),
    ).toBe('delivered');
    await p.tick(30 * 60_000 - 1);
    expect(await p.poll('ask_rating')).toEqual([]);
    await p.tick(1);
    expect(await status(id)).toBe('asking for a rating');
    const ask = await work('ask_rating', { rating: 5 });
    expect(ask.inputData).toEqual({ orderId: 'F-1', customerId: 'c-1', courier: 'Kim' });
    const wf = await until(
      () => p.workflow(id),
      (w) => w.status === 'COMPLETED',
    );
    expect(wf.output).toMatchObject({ orderId: 'F-1', outcome: 'delivered', courier: 'Kim', rating: 5 });
    expect(await status(id)).toBe('rated');
    expect((await signal(id, 'delivered', {})).status).toBe(409);
  });

  it('refunds and cancels when no courier picks the order up within a minute', async () => {
    const id = (await order('F-2')).text;
    await work('charge_card', { chargeId: 'ch-2' });
    await until(
      () => p.engine.store.signalWaits(id, 'pickedUp'),
      (w) => w.length === 1,
    );
    await p.tick(60_000);
    expect(await status(id)).toBe('refunding');
    const refund = await work('refund_card', { refundId: 'rf-2' });
    expect(refund.inputData).toEqual({ chargeId: 'ch-2', amount: 23.5 });
    await work('cancel_order', { cancelled: true });
    const wf = await until(
      () => p.workflow(id),
      (w) => w.status === 'COMPLETED',
    );
    expect(wf.output).toEqual({ orderId: 'F-2', outcome: 'cancelled', refundId: 'rf-2' });
    expect(await status(id)).toBe('cancelled');
    expect(wf.tasks.some((t: any) => t.referenceTaskName === 'wait_delivered')).toBe(false);
  });

  it('keeps a pickup signal sent before the charge completed, and goes on with it', async () => {
    const id = (await order('F-3')).text;
    await signal(id, 'pickedUp', { courier: 'Lee' });
    await work('charge_card', { chargeId: 'ch-3' });
    expect(
      await until(
        () => status(id),
        (s) => s === 'on the way',
      ),
    ).toBe('on the way');
    expect((await p.tasksOf(id, 'wait_pickup'))[0].outputData).toMatchObject({ signal: 'pickedUp', payload: { courier: 'Lee' }, seq: 1 });
  });
});
