import { BatonWorker } from '@baton/workers-sdk';

/**
 * Workers for every task of the example order flow (definitions/examples/order-flow.json), used by
 * `npm run demo` and runnable on their own against any engine: `npm run workers` (BATON_URL, default
 * http://localhost:8080; BATON_API_KEY=keyId:keySecret when authentication is on). The README's
 * curl example needs these to run to completion.
 */
type Item = { sku: string; qty: number; price: number };
type Order = { order: { id: string; items: Item[]; customer: { name: string; email: string }; shippingAddress: { country: string } } };

export const orderSteps = {
  validate_order: ({ order }: Order) => ({ valid: order.items.length > 0, orderId: order.id, items: order.items }),
  calculate_tax: ({ items, shippingAddress }: { items: Item[]; shippingAddress: { country: string } }) => {
    const subtotal = items.reduce((sum, i) => sum + i.qty * i.price, 0);
    const rate = shippingAddress.country === 'DE' ? 0.19 : 0.08;
    const tax = Math.round(subtotal * rate * 100) / 100;
    return { subtotal, rate, tax, total: Math.round((subtotal + tax) * 100) / 100, currency: 'EUR' };
  },
  generate_invoice: ({ orderId }: { orderId: string }) => ({ invoiceId: `INV-${orderId}` }),
  send_confirmation: ({ email, orderId }: { email: string; orderId: string }) => ({ messageId: `msg-${orderId}`, to: email }),
  notify_warehouse: ({ orderId }: { orderId: string }) => ({ shipmentId: `SHP-${orderId}` }),
} as const;

export type StepListener = (taskType: string, attempt: number, input: unknown, output: Record<string, unknown>) => void;

/** Registers a handler for each task type of the order flow on `worker`; `onStep` hears each result. */
export function registerOrderWorkers(worker: BatonWorker, onStep: StepListener = () => {}): BatonWorker {
  for (const [taskType, fn] of Object.entries(orderSteps)) {
    const step = fn as (input: never) => Record<string, unknown>;
    worker.register<Record<string, unknown>, Record<string, unknown>>({
      taskType,
      concurrency: 2,
      handler: async (input, ctx) => {
        const output = step(input as never);
        onStep(taskType, ctx.retryCount, input, output);
        return output;
      },
    });
  }
  return worker;
}

/** HTTP Basic credentials from BATON_API_KEY (`keyId:keySecret`), which the engine accepts beside tokens. */
export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Basic ${Buffer.from(apiKey).toString('base64')}` } : {};
}

async function main(): Promise<void> {
  const serverUrl = process.env.BATON_URL ?? 'http://localhost:8080';
  const worker = new BatonWorker({ serverUrl, workerId: 'order-workers', headers: authHeaders(process.env.BATON_API_KEY) });
  registerOrderWorkers(worker, (taskType, attempt, _input, output) =>
    process.stdout.write(`${new Date().toISOString()}  ${taskType.padEnd(18)} attempt ${attempt}  ${JSON.stringify(output)}\n`),
  );
  await worker.start();
  worker.stopOnSignals();
  process.stdout.write(`order workers polling ${serverUrl} for ${Object.keys(orderSteps).join(', ')}; Ctrl-C to stop\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`order workers failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
