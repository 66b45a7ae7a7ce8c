import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '@baton/definitions';
import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';

/** definitions/examples/order-fulfilment.json and signup-drip.yaml, run by hand-driven workers on a manual clock. */
const examples = join(__dirname, '../../../definitions/examples');
function load(file: string): any {
  const parsed = parseDocument(
    readFileSync(join(examples, file), 'utf8'),
    file.endsWith('.json') ? 'application/json' : 'application/yaml',
  );
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

describe.each(storeKinds())('system-task examples (%s)', (kind) => {
  let p: PolicyServer;
  afterEach(async () => {
    await p.close();
  });
  const work = async (type: string, output: Record<string, unknown>): Promise<any> => {
    const t = await p.pollOne(type);
    expect((await p.report(t, 'COMPLETED', { outputData: output })).status).toBe(200);
    return t;
  };

  it('order_fulfilment: a valid order waits for the shipment, completed over REST by reference name', async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs(load('order-taskdefs.json'));
    await p.workflowDef(load('order-fulfilment.json'));
    const id = await p.start('order_fulfilment', { order: { customer: { email: 'a@example.com' }, shippingAddress: { country: 'DE' } } });
    await work('validate_order', { orderId: 'A-1', valid: true, errors: [], items: [] });
    await work('calculate_tax', { total: 10 });
    await work('generate_invoice', { invoiceId: 'INV-1' });
    await work('notify_warehouse', {});
    expect((await p.tasksOf(id, 'await_shipment'))[0].status).toBe('IN_PROGRESS');
    expect((await p.s.req('POST', `/api/tasks/${id}/await_shipment/COMPLETED`, { trackingNumber: 'TRK-9' })).status).toBe(200);
    const confirm = await work('send_confirmation', {});
    expect(confirm.inputData.message).toBe('Order A-1 has shipped: tracking TRK-9.');
    const wf = await p.workflow(id);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.output).toEqual({ orderId: 'A-1', accepted: true, invoiceId: 'INV-1', trackingNumber: 'TRK-9' });
  });

  it('order_fulfilment: an invalid order ends at the SWITCH with its errors', async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs(load('order-taskdefs.json'));
    await p.workflowDef(load('order-fulfilment.json'));
    const id = await p.start('order_fulfilment', { order: {} });
    await work('validate_order', { orderId: 'A-2', valid: false, errors: ['no items'] });
    const wf = await p.workflow(id);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.output).toEqual({ orderId: 'A-2', accepted: false, errors: ['no items'] });
  });

  it.each([
    [true, 'booked', 'send_first_trip_tips'],
    [false, 'not_booked', 'send_booking_reminder'],
  ])('signup_drip: after the wait, hasBooking=%s follows up with %s', async (hasBooking, followUp, step) => {
    p = await PolicyServer.start(kind);
    await p.taskDefs(load('signup-drip-taskdefs.yaml'));
    await p.workflowDef(load('signup-drip.yaml'));
    const id = await p.start('signup_drip', { userId: 'u1', email: 'u1@example.com' });
    await work('send_welcome_email', { messageId: 'm-1' });
    expect(await p.poll('check_booking')).toEqual([]);
    await p.tick(86_400_000 - 1);
    expect(await p.poll('check_booking')).toEqual([]);
    await p.tick(1);
    await work('check_booking', { hasBooking, bookingId: hasBooking ? 'b-1' : null });
    await work(step, {});
    const wf = await p.workflow(id);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.output).toEqual({ welcomeEmailId: 'm-1', booked: hasBooking, followUp });
  });
});
