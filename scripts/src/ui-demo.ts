import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, startServer } from '@baton/engine';
import pino from 'pino';
import { bigItems, registerUiFixtures, uiWorker } from './ui-fixtures';

/**
 * `npm run ui:demo`: an engine on a temporary embedded store with runs to look at in the UI (a
 * running showcase waiting for approval, a completed one, a run failed on a poison task, a
 * sub-workflow waiting on a WAIT step, a 1,000-task fan-out) and a worker serving them. Stays up
 * until Ctrl-C; open the printed address.
 */
const { values: opt } = parseArgs({ options: { port: { type: 'string', default: '8080' }, big: { type: 'string', default: '1000' } } });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-ui-demo-'));
  const config = loadConfig([], { PORT: opt.port ?? '8080', HOST: '127.0.0.1', BATON_DATA_DIR: dir, MONGODB_URI: '', LOG_LEVEL: 'warn' });
  const server = await startServer(config, { log: pino({ level: 'warn' }) });
  const url = `http://127.0.0.1:${server.port}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text;
  };
  await registerUiFixtures(call);
  const controls = { flakyBroken: true, speed: (id: string) => (id.endsWith('1') ? ('express' as const) : ('standard' as const)) };
  const worker = uiWorker(url, controls);
  await worker.start();
  for (const orderId of ['A-1', 'A-2'])
    await call('POST', '/api/workflow/ui_showcase?correlationId=' + orderId, { orderId, express: orderId === 'A-1' });
  await call('POST', '/api/workflow/ui_flaky_flow', {});
  await call('POST', '/api/workflow/ui_parent', {});
  await call('POST', '/api/workflow/ui_big', { items: bigItems(Number(opt.big)) });
  process.stdout.write(`Baton with example runs: ${url}/executions (store in ${dir}); Ctrl-C stops it\n`);
  const stop = async () => {
    await worker.stop();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
