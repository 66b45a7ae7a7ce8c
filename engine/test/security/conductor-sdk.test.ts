import { TaskManager, orkesConductorClient, type ConductorWorker } from '@io-orkes/conductor-javascript';
import { ADMIN, ShiftClock, authEnv, bearer, createKey, tokenFor } from '../helpers/auth';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The official Conductor JavaScript SDK (@io-orkes/conductor-javascript), unchanged, against Baton
 * with authentication on: it exchanges a worker key's id and secret for a token at POST
 * /api/token, sends it as X-Authorization, and runs a worker; when the token expires, Baton's
 * 401 {error: EXPIRED_TOKEN} makes it fetch a new one and go on.
 */
describe('Conductor JS SDK with a key id and secret', () => {
  let s: TestServer;
  let clock: ShiftClock;
  let admin: string;
  let manager: TaskManager | null = null;
  const saved = { ...process.env };

  beforeAll(async () => {
    // The SDK talks on the console (missing CONDUCTOR_* variables, its endpoint probes): keep the test output readable.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // The SDK reads these before its arguments; none may leak in from the machine.
    for (const k of Object.keys(process.env)) if (k.startsWith('CONDUCTOR_')) delete process.env[k];
    clock = new ShiftClock();
    s = await startTestServer('sqlite', { env: authEnv, clock });
    admin = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
    const as = bearer(admin);
    expect((await s.req('POST', '/api/metadata/taskdefs', [{ name: 'sdk_double', retryCount: 0 }], as)).status).toBe(200);
    const flow = {
      name: 'sdk_flow',
      version: 1,
      tasks: [{ name: 'sdk_double', taskReferenceName: 'double', type: 'SIMPLE', inputParameters: { n: '${workflow.input.n}' } }],
      outputParameters: { doubled: '${double.output.doubled}', by: '${double.output.by}' },
    };
    expect((await s.req('PUT', '/api/metadata/workflow', [flow], as)).status).toBe(200);
  });
  afterAll(async () => {
    await manager?.stopPolling();
    await s.close();
    process.env = saved;
    jest.restoreAllMocks();
  });

  it('authenticates with a worker key, runs a worker, and renews an expired token by itself', async () => {
    const key = await createKey(s, admin, { role: 'worker', taskTypes: ['sdk_double'], description: 'SDK worker' });
    const client = await orkesConductorClient({
      serverUrl: `${s.url}/api`,
      keyId: key.keyId,
      keySecret: key.keySecret,
      refreshTokenInterval: 0,
    });
    const worker: ConductorWorker = {
      taskDefName: 'sdk_double',
      execute: async (task) => ({ status: 'COMPLETED', outputData: { doubled: Number(task.inputData?.n) * 2, by: task.workerId ?? null } }),
    };
    const quiet = { info: () => undefined, debug: () => undefined, error: () => undefined };
    manager = new TaskManager(client, [worker], { logger: quiet, options: { pollInterval: 50, concurrency: 1, workerID: 'sdk-worker-1' } });
    manager.startPolling();

    const run = async (n: number): Promise<any> => {
      const id = (await s.req('POST', '/api/workflow/sdk_flow', { n }, bearer(admin))).text;
      return eventually(
        async () => (await s.req('GET', `/api/workflow/${id}`, undefined, bearer(admin))).body,
        (w) => w.status !== 'RUNNING',
        30_000,
      );
    };
    const first = await run(21);
    expect(first.status).toBe('COMPLETED');
    expect(first.output).toEqual({ doubled: 42, by: 'sdk-worker-1' });

    // Past the token's lifetime: the SDK's next call gets 401 EXPIRED_TOKEN, and it fetches a new token.
    const tokensBefore = await tokenRequests(s, admin);
    clock.shift = 3601_000;
    admin = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
    const second = await run(5);
    expect(second.status).toBe('COMPLETED');
    expect(second.output.doubled).toBe(10);
    // One token for the admin above, at least one more for the SDK.
    expect(await tokenRequests(s, admin)).toBeGreaterThanOrEqual(tokensBefore + 2);
  }, 60_000);
});

async function tokenRequests(s: TestServer, admin: string): Promise<number> {
  const text = (await s.req('GET', '/metrics', undefined, bearer(admin))).text;
  const line = text.split('\n').find((l) => l.startsWith('baton_http_requests_total{route="POST /api/token"}'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
