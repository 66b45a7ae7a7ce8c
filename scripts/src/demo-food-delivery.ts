import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '@baton/definitions';
import { BatonClient, BatonWorker } from '@baton/workers-sdk';

/**
 * `npm run demo -- food-delivery`: the food-delivery example (definitions/examples/food-delivery.yaml)
 * live. Two orders: a courier picks the first one up and delivers it (signals `pickedUp` and
 * `delivered`), then the customer is asked for a rating; no courier comes for the second, which
 * is refunded and cancelled. Each order's `status` query is printed whenever its answer changes.
 * Durations are shortened for the demo through the workflow input (pickupTimeout, ratingDelay).
 */
const examples = join(__dirname, '../../definitions/examples');
const out = (line: string): void => void process.stdout.write(`${line}\n`);

function yaml(file: string): unknown {
  const v = parseDocument(readFileSync(join(examples, file), 'utf8'), 'application/yaml');
  if (!v.ok) throw new Error(`${file}: ${JSON.stringify(v.problems)}`);
  return v.value;
}

export async function foodDelivery(serverUrl: string): Promise<boolean> {
  const client = new BatonClient({ serverUrl });
  await client.registerTaskDefs(yaml('food-delivery-taskdefs.yaml') as never);
  await client.registerWorkflowDef(yaml('food-delivery.yaml') as never, { overwrite: true });

  const t0 = Date.now();
  const stamp = (): string => `+${String(Date.now() - t0).padStart(5)} ms`;
  const worker = new BatonWorker({ serverUrl, workerId: 'food-demo', pollTimeoutMs: 1000 });
  const step = (taskType: string, fn: (input: Record<string, unknown>) => Record<string, unknown>): void => {
    worker.register<Record<string, unknown>, Record<string, unknown>>({
      taskType,
      concurrency: 2,
      handler: async (input) => {
        const result = fn(input);
        out(`${stamp()}  worker ${taskType.padEnd(12)} in=${JSON.stringify(input)}  out=${JSON.stringify(result)}`);
        return result;
      },
    });
  };
  step('charge_card', (i) => ({ chargeId: `ch-${String(i.orderId)}`, amount: i.amount }));
  step('refund_card', (i) => ({ refundId: `rf-${String(i.chargeId)}` }));
  step('cancel_order', (i) => ({ cancelled: i.orderId }));
  step('ask_rating', () => ({ rating: 5 }));
  await worker.start();

  const start = (orderId: string, pickupTimeout: string): Promise<string> =>
    client.startWorkflow(
      'food_delivery',
      { orderId, customerId: 'cust-7', amount: 23.5, pickupTimeout, ratingDelay: '2s' },
      { idempotencyKey: orderId, idempotencyStrategy: 'RETURN_EXISTING' },
    );
  const delivered = await start('order-1', '20s');
  const abandoned = await start('order-2', '4s');
  out(`${stamp()}  started order-1 (${delivered}) and order-2 (${abandoned}, no courier will come: pickupTimeout 4s)`);

  // Print each order's stage, from its `status` query, whenever it changes.
  const last = new Map<string, unknown>();
  const watch = setInterval(() => {
    for (const [label, id] of [
      ['order-1', delivered],
      ['order-2', abandoned],
    ] as const) {
      client.query(id, 'status').then(
        (stage) => {
          if (last.get(id) === stage) return;
          last.set(id, stage);
          out(`${stamp()}  query ${label} status: ${JSON.stringify(stage)}`);
        },
        () => undefined,
      );
    }
  }, 100);

  // The courier app: picks order-1 up after 1.5 s (a signal), delivers it 1.5 s later.
  await new Promise((r) => setTimeout(r, 1500));
  await client.signal(delivered, 'pickedUp', { courier: 'Kim' });
  out(`${stamp()}  signal pickedUp -> order-1 {"courier":"Kim"}`);
  await new Promise((r) => setTimeout(r, 1500));
  await client.signal(delivered, 'delivered', { at: 'front door' });
  out(`${stamp()}  signal delivered -> order-1`);

  const results = await Promise.all([
    client.waitForWorkflow(delivered, { timeoutMs: 60_000, intervalMs: 100 }),
    client.waitForWorkflow(abandoned, { timeoutMs: 60_000, intervalMs: 100 }),
  ]);
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(watch);
  for (const wf of results) out(`${stamp()}  ${String(wf.input.orderId)} ${wf.status}: ${JSON.stringify(wf.output)}`);
  await worker.stop();
  return results.every((wf) => wf.status === 'COMPLETED');
}
