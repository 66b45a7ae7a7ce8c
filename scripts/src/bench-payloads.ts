import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a large task output costs the engine's memory (docs/payloads.md, "Memory"): a worker's
 * output reported inline (external storage off, the inline limit raised to its maximum) against
 * the same output uploaded to the payload store, and a 50 MB upload; in each run the next step
 * reads a field of the output by expression. Prints the engine's peak resident set (VmHWM, Linux)
 * at start and at the end. Each run is a fresh engine on the embedded store.
 *
 *   npm run bench:payloads
 */
const MB = 1024 * 1024;
const engineMain = join(__dirname, '../../engine/dist/main.js');

async function run(label: string, env: Record<string, string>, external: boolean, rows: number): Promise<void> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-payloads-'));
  const proc = spawn(process.execPath, [engineMain], {
    env: { ...process.env, MONGODB_URI: '', BATON_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        if (i > 600) throw new Error('the engine did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const peak = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const base = peak();
    const call = (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(url + path, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const poll = async (type: string): Promise<{ taskId: string; inputData: Record<string, unknown> }> => {
      for (;;) {
        const [t] = (await (await fetch(`${url}/api/tasks/poll/batch/${type}?workerid=bench&timeout=1000`)).json()) as Array<{
          taskId: string;
          inputData: Record<string, unknown>;
        }>;
        if (t) return t;
      }
    };
    await call('POST', '/api/metadata/taskdefs', [{ name: 'bench_produce' }, { name: 'bench_consume' }]);
    await call('POST', '/api/metadata/workflow', {
      name: 'bench_payloads',
      version: 1,
      tasks: [
        { name: 'bench_produce', taskReferenceName: 'p', type: 'SIMPLE' },
        { name: 'bench_consume', taskReferenceName: 'c', type: 'SIMPLE', inputParameters: { n: '${p.output.count}' } },
      ],
    });
    const id = await (await call('POST', '/api/workflow/bench_payloads', {})).text();
    const produce = await poll('bench_produce');
    const body = JSON.stringify({ count: rows, rows: Array.from({ length: rows }, (_, i) => `${i}:${'r'.repeat(10_240)}`) });
    if (external) {
      const loc = (await (
        await fetch(`${url}/api/tasks/external-storage-location?operation=WRITE&payloadType=TASK_OUTPUT&path=`)
      ).json()) as { uri: string; path: string };
      await fetch(loc.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
      await call('POST', '/api/tasks', { taskId: produce.taskId, status: 'COMPLETED', externalOutputPayloadStoragePath: loc.path });
    } else {
      await fetch(`${url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"taskId":"${produce.taskId}","status":"COMPLETED","outputData":${body}}`,
      });
    }
    const consume = await poll('bench_consume');
    await call('POST', '/api/tasks', { taskId: consume.taskId, status: 'COMPLETED', outputData: { n: consume.inputData.n } });
    const wf = (await (await fetch(`${url}/api/workflow/${id}`)).json()) as { status: string };
    const end = peak();
    process.stdout.write(
      `${label.padEnd(52)} ${(body.length / MB).toFixed(1).padStart(5)} MB  ${wf.status.padEnd(9)}  peak RSS ${(base / MB).toFixed(0)} -> ${(end / MB).toFixed(0)} MB (+${((end - base) / MB).toFixed(0)} MB)\n`,
    );
  } finally {
    proc.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  await run(
    'inline (external storage off, 15 MiB inline limit)',
    { BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES: '0', BATON_MAX_PAYLOAD_BYTES: String(15 * MB) },
    false,
    1400,
  );
  await run('uploaded to the payload store', {}, true, 1400);
  await run('uploaded to the payload store', {}, true, 5000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
