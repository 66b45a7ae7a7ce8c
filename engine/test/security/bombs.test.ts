import { JqPool } from '../../src/runtime/system-tasks/jq';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

/** A jq or script bomb fails its own task only: the work queued or running beside it goes on. */
describe('jq bombs', () => {
  const pool = new JqPool(2);
  afterAll(async () => {
    await pool.close();
  });

  it('a memory bomb and a CPU bomb fail alone; the queries queued with them complete, and the pool goes on', async () => {
    const memoryBomb = pool.run({}, '[range(1e9)] | length');
    const cpuBomb = pool.run({}, 'last(range(1e15))');
    const normal = Array.from({ length: 8 }, (_, i) => pool.run({ n: i }, '.n * 2'));
    const [m, c, ...rest] = await Promise.allSettled([memoryBomb, cpuBomb, ...normal]);
    expect(m?.status).toBe('rejected');
    expect(c?.status).toBe('rejected');
    expect(String((c as PromiseRejectedResult).reason)).toContain('ran past 5000 ms');
    expect(rest.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual(Array.from({ length: 8 }, (_, i) => [i * 2]));
    expect(await pool.run({ a: [1, 2] }, '.a | add')).toEqual([3]);
  }, 60_000);
});

describe('bombs in workflows', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await s.close();
  });

  const start = async (name: string, task: Record<string, unknown>, input: Record<string, unknown> = {}): Promise<string> => {
    expect(
      (await s.req('PUT', '/api/metadata/workflow', [{ name, version: 1, tasks: [{ name: 'step', taskReferenceName: 'step', ...task }] }]))
        .status,
    ).toBe(200);
    return (await s.req('POST', `/api/workflow/${name}`, input)).text;
  };
  const ended = (id: string): Promise<any> =>
    eventually(
      async () => (await s.req('GET', `/api/workflow/${id}`)).body,
      (w) => w.status !== 'RUNNING',
      30_000,
    );

  it('JSON_JQ_TRANSFORM bombs fail their own workflows; the jq tasks queued with them complete', async () => {
    const bomb = await start('jq_bomb', { type: 'JSON_JQ_TRANSFORM', inputParameters: { queryExpression: '[range(1e9)] | length' } });
    const spin = await start('jq_spin', { type: 'JSON_JQ_TRANSFORM', inputParameters: { queryExpression: 'last(range(1e15))' } });
    const others = [];
    for (let i = 0; i < 8; i++)
      others.push(await start(`jq_ok_${i}`, { type: 'JSON_JQ_TRANSFORM', inputParameters: { queryExpression: '.n + 1', n: i } }));
    expect((await ended(bomb)).status).toBe('FAILED');
    for (const [i, id] of others.entries()) {
      const wf = await ended(id);
      expect([id, wf.status]).toEqual([id, 'COMPLETED']);
      expect(wf.tasks[0].outputData.result).toBe(i + 1);
    }
    expect((await ended(spin)).reasonForIncompletion).toContain('ran past 5000 ms');
  }, 60_000);

  it('one script bomb (an endless loop, a memory hog) fails its own workflow; the scripts beside it run', async () => {
    const loop = await start('js_loop', {
      type: 'INLINE',
      inputParameters: { evaluatorType: 'javascript', expression: 'while (true) {}' },
    });
    const hog = await start('js_hog', {
      type: 'INLINE',
      inputParameters: {
        evaluatorType: 'javascript',
        expression: 'var s = "xxxxxxxx"; var a = []; while (true) { s = s + s; a.push(s); }',
      },
    });
    const ok = await start('js_ok', { type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.n * 3', n: 7 } });
    expect((await ended(loop)).reasonForIncompletion).toMatch(/time limit/);
    expect((await ended(hog)).reasonForIncompletion).toMatch(/memory limit/);
    const wf = await ended(ok);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.tasks[0].outputData.result).toBe(21);
  }, 60_000);
});
