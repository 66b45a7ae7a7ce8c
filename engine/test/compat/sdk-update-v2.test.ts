import type { IncomingMessage } from 'node:http';
import { BatonWorker } from '@baton/workers-sdk';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

/** Baton's own SDK against the real engine: its reports claim the next task (update-v2), one round trip per step. */
describe("Baton's SDK and update-v2", () => {
  let s: TestServer;
  const calls = new Map<string, number>();
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    s.running.server.on('request', (req: IncomingMessage) => {
      const path = (req.url ?? '').split('?')[0]!.replace(/\/poll\/batch\/.*/, '/poll/batch');
      const key = `${req.method} ${path}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
    });
  });
  afterAll(() => s.close());

  it('runs a backlog through one slot with one update-v2 call per step, not a report and a poll each', async () => {
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'chain', tasks: [{ name: 'chained', taskReferenceName: 'c', inputParameters: { i: '${workflow.input.i}' } }] },
    ]);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await s.req('POST', '/api/workflow/chain', { i })).text);
    const worker = new BatonWorker({ serverUrl: s.url, workerId: 'sdk', pollTimeoutMs: 200 });
    const seen: number[] = [];
    worker.register<{ i: number }, { doubled: number }>({
      taskType: 'chained',
      concurrency: 1,
      handler: async (input) => {
        seen.push(input.i);
        return { doubled: input.i * 2 };
      },
    });
    await worker.start();
    const done = await eventually(
      async () => Promise.all(ids.map(async (id) => (await s.req('GET', `/api/workflow/${id}?includeTasks=false`)).body.status)),
      (st) => st.every((x) => x === 'COMPLETED'),
      60_000,
    );
    await worker.stop();
    expect(done.every((x) => x === 'COMPLETED')).toBe(true);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const v2 = calls.get('POST /api/tasks/update-v2') ?? 0;
    expect(v2).toBe(8);
    expect(calls.get('POST /api/tasks') ?? 0).toBe(0);
    // One poll found the first task; each report brought the next one (a few empty polls may follow).
    expect(calls.get('GET /api/tasks/poll/batch') ?? 0).toBeLessThan(8);
  }, 90_000);
});
