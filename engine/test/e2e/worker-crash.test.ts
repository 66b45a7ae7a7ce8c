import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, waitFor } from '../helpers/engine-process';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

const fixture = join(__dirname, 'fixtures/worker-process.js');

function startWorker(mode: 'hang' | 'complete', url: string, taskType: string, workerId: string) {
  const proc = spawn(process.execPath, [fixture, mode, url, taskType, workerId], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { proc, output: () => out };
}

describe.each(storeKinds())('a worker killed mid-task (%s)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind, { env: { BATON_SWEEP_INTERVAL_MS: '100' } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('loses nothing: the step is re-delivered after the lease and completes once', async () => {
    await s.req('POST', '/api/metadata/taskdefs', [
      { name: 'charge_card', responseTimeoutSeconds: 2, retryCount: 2, retryDelaySeconds: 0 },
      { name: 'send_receipt', responseTimeoutSeconds: 10, retryCount: 0 },
    ]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'checkout',
      tasks: [
        { name: 'charge_card', taskReferenceName: 'charge', inputParameters: { amount: '${workflow.input.amount}' } },
        { name: 'send_receipt', taskReferenceName: 'receipt', inputParameters: { charged: '${charge.output.echo.amount}' } },
      ],
      outputParameters: { chargedBy: '${charge.output.by}', receipt: '${receipt.output.echo.charged}' },
    });
    const id = (await s.req('POST', '/api/workflow/checkout', { amount: 42 })).text;

    const doomed = startWorker('hang', s.url, 'charge_card', 'doomed');
    await waitFor('the doomed worker to take the task', async () => doomed.output().includes('STARTED'), 15_000, 50);
    doomed.proc.kill('SIGKILL');
    await new Promise((r) => doomed.proc.once('exit', r));

    const healthy = [startWorker('complete', s.url, 'charge_card', 'healthy'), startWorker('complete', s.url, 'send_receipt', 'healthy')];
    try {
      const wf = await waitFor(
        'the workflow to complete',
        async () => {
          const w = (await s.req('GET', `/api/workflow/${id}`)).body;
          return w.status === 'COMPLETED' ? w : undefined;
        },
        30_000,
      );
      expect(wf.output).toEqual({ chargedBy: 'healthy', receipt: 42 });
      const charges = wf.tasks.filter((t: any) => t.referenceTaskName === 'charge');
      expect(charges.map((t: any) => [t.retryCount, t.status, t.workerId])).toEqual([
        [0, 'TIMED_OUT', 'doomed'],
        [1, 'COMPLETED', 'healthy'],
      ]);
      expect(charges[0].reasonForIncompletion).toMatch(/responseTimeoutSeconds/);
      expect(wf.tasks.filter((t: any) => t.status === 'COMPLETED')).toHaveLength(2);
    } finally {
      for (const w of healthy) w.proc.kill('SIGTERM');
      await Promise.all(healthy.map((w) => new Promise((r) => (w.proc.exitCode !== null ? r(null) : w.proc.once('exit', r)))));
    }
  }, 60_000);
});
