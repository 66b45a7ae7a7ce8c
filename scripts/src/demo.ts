import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatonClient, BatonWorker } from '@baton/workers-sdk';
import { loadConfig, startServer } from '@baton/engine';
import pino from 'pino';

/**
 * `npm run demo`: starts an engine (embedded store in a temporary folder, or the one at
 * BATON_URL), registers the example order flow, runs example workers, starts one order and
 * prints each step as it happens and the final output.
 */
const examples = join(__dirname, '../../definitions/examples');
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  let serverUrl = process.env.BATON_URL;
  let close = async (): Promise<void> => {};
  if (!serverUrl) {
    const config = loadConfig([], { PORT: '0', HOST: '127.0.0.1', BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-demo-')), LOG_LEVEL: 'warn' });
    const running = await startServer(config, { log: pino({ level: 'warn' }) });
    serverUrl = `http://127.0.0.1:${running.port}`;
    close = running.close;
    out(`engine started at ${serverUrl} (embedded store in ${config.dataDir})`);
  }
  const client = new BatonClient({ serverUrl });
  await client.registerTaskDefs(JSON.parse(readFileSync(join(examples, 'order-taskdefs.json'), 'utf8')));
  await client.registerWorkflowDef(JSON.parse(readFileSync(join(examples, 'order-flow.json'), 'utf8')), { overwrite: true });

  const t0 = Date.now();
  const stamp = (): string => `+${String(Date.now() - t0).padStart(4)} ms`;
  const worker = new BatonWorker({ serverUrl, workerId: 'demo-worker', pollTimeoutMs: 1000 });
  const step = <I extends Record<string, unknown>>(taskType: string, fn: (input: I) => Record<string, unknown>) =>
    worker.register<I, Record<string, unknown>>({
      taskType,
      concurrency: 2,
      handler: async (input, ctx) => {
        const result = fn(input);
        out(`${stamp()}  ${taskType.padEnd(18)} attempt ${ctx.retryCount}  in=${JSON.stringify(input)}  out=${JSON.stringify(result)}`);
        return result;
      },
    });
  type Order = { order: { id: string; items: Array<{ sku: string; qty: number; price: number }>; email: string; country: string } };
  step<Order>('validate_order', ({ order }) => ({ valid: order.items.length > 0, subtotal: order.items.reduce((s, i) => s + i.qty * i.price, 0) }));
  step<{ subtotal: number; country: string }>('calculate_tax', ({ subtotal, country }) => {
    const rate = country === 'DE' ? 0.19 : 0.08;
    return { rate, tax: Math.round(subtotal * rate * 100) / 100, total: Math.round(subtotal * (1 + rate) * 100) / 100 };
  });
  step<Record<string, unknown>>('generate_invoice', (input) => ({ invoiceId: `INV-${String(input.orderId ?? 'x')}`, ...input }));
  step<Record<string, unknown>>('send_confirmation', (input) => ({ sent: true, to: input.email ?? input.to }));
  step<Record<string, unknown>>('notify_warehouse', (input) => ({ notified: true, orderId: input.orderId }));
  await worker.start();

  const order = { id: 'A-1001', email: 'ada@example.com', country: 'DE', items: [{ sku: 'book', qty: 2, price: 12.5 }, { sku: 'pen', qty: 3, price: 1.2 }] };
  const id = await client.startWorkflow('order_flow', { order });
  out(`${stamp()}  started order_flow ${id}`);
  const wf = await client.waitForWorkflow(id, { timeoutMs: 30_000, intervalMs: 50 });
  out(`${stamp()}  workflow ${wf.status}`);
  out(`output: ${JSON.stringify(wf.output, null, 2)}`);
  await worker.stop();
  await close();
  if (wf.status !== 'COMPLETED') process.exit(1);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
