import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateTaskDefs, validateWorkflowDef } from '@baton/definitions';
import { loadTestScripts as loadSandbox, type TestScripts as ScriptEvaluator } from '../helpers/scripts';
import { DeciderHarness } from '../helpers/decider-harness';

/** The example definitions/examples/order-flow-v2.json: valid as shipped, and both of its paths. */
const examples = join(__dirname, '../../../definitions/examples');
const flow = JSON.parse(readFileSync(join(examples, 'order-flow-v2.json'), 'utf8')) as Record<string, unknown>;
const taskDefs = JSON.parse(readFileSync(join(examples, 'order-taskdefs.json'), 'utf8')) as unknown;

let scripts: ScriptEvaluator;
beforeAll(async () => {
  scripts = await loadSandbox();
});

const order = { id: 'A-1', customer: { email: 'ada@example.com' }, shippingAddress: { country: 'DE' } };

describe('example order_flow version 2', () => {
  it('is valid against the example task definitions', () => {
    const defs = validateTaskDefs(taskDefs);
    if (!defs.ok) throw new Error(JSON.stringify(defs.problems));
    const known = new Set(defs.value.map((d) => d.name));
    const v = validateWorkflowDef(flow, { isKnownTaskDef: (n) => known.has(n) });
    expect(v.ok ? [] : v.problems).toEqual([]);
    expect(v.ok && [v.value.name, v.value.version]).toEqual(['order_flow', 2]);
  });

  const rejected: Array<[string, Record<string, unknown>]> = [
    ['valid: false', { orderId: 'A-1', valid: false, errors: ['no items'] }],
    ['errors listed', { orderId: 'A-1', valid: true, errors: ['bad address'] }],
  ];
  it.each(rejected)('ends an invalid order at the SWITCH (%s)', (_name, validation) => {
    const h = new DeciderHarness(flow, { order }, {}, scripts);
    h.complete('validate_order', validation);
    expect(h.wf.status).toBe('COMPLETED');
    expect(h.wf.reasonForIncompletion).toBe('order A-1 failed validation');
    expect(h.wf.output).toEqual({ orderId: 'A-1', accepted: false, errors: validation.errors });
    expect(h.scheduledRefs()).toEqual(['check_validation', 'reject_order']);
  });

  it('invoices and ships a valid order in parallel', () => {
    const h = new DeciderHarness(flow, { order }, {}, scripts);
    h.complete('validate_order', { orderId: 'A-1', valid: true, items: [{ sku: 'book' }] });
    expect(h.scheduledRefs()).toEqual(['check_validation', 'calculate_tax']);
    h.complete('calculate_tax', { subtotal: 10, tax: 1.9, total: 11.9, currency: 'EUR' });
    expect(h.scheduledRefs()).toEqual(['fulfil', 'generate_invoice', 'notify_warehouse', 'fulfilled']);
    h.complete('notify_warehouse', { shipmentId: 'S-1' });
    h.complete('generate_invoice', { invoiceId: 'INV-1' });
    expect(h.open('send_confirmation').inputData.message).toBe('Order A-1 is confirmed: total 11.9 EUR.');
    h.complete('send_confirmation', { messageId: 'M-1' });
    expect(h.wf.status).toBe('COMPLETED');
    expect(h.wf.output).toEqual({
      orderId: 'A-1',
      accepted: true,
      invoiceId: 'INV-1',
      subtotal: 10,
      tax: 1.9,
      total: 11.9,
      confirmationId: 'M-1',
      shipmentId: 'S-1',
    });
  });
});
