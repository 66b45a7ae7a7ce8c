import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/eventually';
import { repoRoot } from '../helpers/engine-process';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The README's "Using it" example, run as a newcomer runs it: its curl commands as written (only
 * the port differs), then `npm run workers` and `npx baton get <id>`. The run must complete: every
 * task type of the flow has a worker.
 */
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Using it'));
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);

function sh(script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', script],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

/** A README line without its trailing comment. */
const command = (line: string): string => line.replace(/\s+#.*$/, '').trim();

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer('sqlite');
});
afterAll(async () => {
  await s?.close();
});

describe("README's curl example", () => {
  it('runs to completion with `npm run workers`, and `npx baton get` shows it', async () => {
    const [register, follow] = blocks;
    expect(register).toContain('curl -X POST localhost:8080/api/workflow/order_flow');
    const host = s.url.replace('http://', '');
    const started = await sh((register as string).replaceAll('localhost:8080', host));
    expect(started.code).toBe(0);
    const id = /([0-9a-f-]{36})\s*$/.exec(started.stdout)?.[1];
    expect(id).toBeDefined();

    const lines = (follow as string).split('\n').map(command).filter(Boolean);
    expect(lines[0]).toBe('npm run workers');
    // Its own process group, to see that stopping npm stops the workers it started.
    const workers = spawn('npm', ['run', 'workers', '--silent'], {
      cwd: repoRoot,
      detached: true,
      env: { ...process.env, BATON_URL: s.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = workers.pid as number;
    let output = '';
    workers.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    workers.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    try {
      const wf = await eventually(
        () => s.req('GET', `/api/workflow/${id}`),
        (r) => r.body?.status === 'COMPLETED',
        90_000,
      );
      expect({ status: wf.body.status, output }).toMatchObject({ status: 'COMPLETED' });
      expect(wf.body.output).toMatchObject({ invoiceId: 'INV-A-1' });
      workers.kill('SIGTERM');
      const stopped = await eventually(
        async () => groupAlive(pgid),
        (alive) => !alive,
        60_000,
      );
      expect(stopped).toBe(false);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }

    expect(lines[1]).toBe('npx baton get <id>');
    const got = await sh((lines[1] as string).replace('<id>', id as string), { BATON_URL: s.url });
    expect(got.code).toBe(0);
    expect(got.stdout.split('\n')[0]).toMatch(new RegExp(`^order_flow v1  COMPLETED  ${id}`));
    expect(got.stdout).toContain('notify_warehouse (SIMPLE)  COMPLETED');
  }, 180_000);
});
