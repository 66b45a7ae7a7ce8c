import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatonClient, BatonWorker } from '@baton/workers-sdk';
import { loadConfig, startServer } from '@baton/engine';
import pino from 'pino';
import { foodDelivery } from './demo-food-delivery';
import { registerOrderWorkers } from './order-workers';

/**
 * `npm run demo [-- food-delivery]`: starts an engine (embedded store in a temporary folder, or the one at
 * BATON_URL), registers the example order flow, runs example workers, starts one order and
 * prints each step as it happens and the final output. `food-delivery` runs the food-delivery
 * example instead (demo-food-delivery.ts): signals, a timeout, a query.
 */
const examples = join(__dirname, '../../definitions/examples');
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  let serverUrl = process.env.BATON_URL;
  let close = async (): Promise<void> => {};
  if (!serverUrl) {
    const config = loadConfig([], {
      PORT: '0',
      HOST: '127.0.0.1',
      BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-demo-')),
      LOG_LEVEL: 'warn',
    });
    const running = await startServer(config, { log: pino({ level: 'warn' }) });
    serverUrl = `http://127.0.0.1:${running.port}`;
    close = running.close;
    out(`engine started at ${serverUrl} (embedded store in ${config.dataDir})`);
  }
  if (process.argv[2] === 'food-delivery') {
    const ok = await foodDelivery(serverUrl);
    await close();
    if (!ok) process.exit(1);
    return;
  }
  if (process.argv[2] !== undefined) throw new Error(`unknown demo '${process.argv[2]}' (known: food-delivery)`);
  const client = new BatonClient({ serverUrl });
  await client.registerTaskDefs(JSON.parse(readFileSync(join(examples, 'order-taskdefs.json'), 'utf8')));
  await client.registerWorkflowDef(JSON.parse(readFileSync(join(examples, 'order-flow.json'), 'utf8')), { overwrite: true });

  const t0 = Date.now();
  const stamp = (): string => `+${String(Date.now() - t0).padStart(4)} ms`;
  const worker = new BatonWorker({ serverUrl, workerId: 'demo-worker', pollTimeoutMs: 1000 });
  registerOrderWorkers(worker, (taskType, attempt, input, output) =>
    out(`${stamp()}  ${taskType.padEnd(18)} attempt ${attempt}  in=${JSON.stringify(input)}  out=${JSON.stringify(output)}`),
  );
  await worker.start();

  const order = {
    id: 'A-1001',
    customer: { name: 'Ada', email: 'ada@example.com' },
    shippingAddress: { country: 'DE' },
    items: [
      { sku: 'book', qty: 2, price: 12.5 },
      { sku: 'pen', qty: 3, price: 1.2 },
    ],
  };
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
