import { eventually } from '../helpers/eventually';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/** JSON_JQ_TRANSFORM, run by the engine's jq runner (jq-wasm in a thread). */
describe.each(storeKinds())('JSON_JQ_TRANSFORM (%s)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
  });
  afterAll(async () => {
    await s.close();
  });

  const run = async (name: string, inputParameters: Record<string, unknown>, input: Record<string, unknown> = {}): Promise<any> => {
    const def = { name, version: 1, tasks: [{ name: 'jq', taskReferenceName: 'jq', type: 'JSON_JQ_TRANSFORM', inputParameters }] };
    expect((await s.req('PUT', '/api/metadata/workflow', [def])).status).toBe(200);
    const id = (await s.req('POST', `/api/workflow/${name}`, input)).text;
    return eventually(
      async () => (await s.req('GET', `/api/workflow/${id}`)).body,
      (w) => w.status !== 'RUNNING',
      10_000,
    );
  };

  it('applies queryExpression to the other input parameters: result and resultList', async () => {
    const wf = await run(
      'jq_ok',
      { queryExpression: '.items[] | {sku, total: (.qty * .price)}', items: '${workflow.input.items}' },
      {
        items: [
          { sku: 'a', qty: 2, price: 3 },
          { sku: 'b', qty: 1, price: 5 },
        ],
      },
    );
    expect(wf.status).toBe('COMPLETED');
    const task = (wf.tasks as any[])[0];
    expect(task).toMatchObject({ taskType: 'JSON_JQ_TRANSFORM', status: 'COMPLETED' });
    expect(task.outputData).toEqual({
      result: { sku: 'a', total: 6 },
      resultList: [
        { sku: 'a', total: 6 },
        { sku: 'b', total: 5 },
      ],
    });
  });

  it('a query that does not compile fails the task with jq error', async () => {
    const wf = await run('jq_bad', { queryExpression: '.a | (', a: 1 });
    expect(wf.status).toBe('FAILED');
    expect(wf.reasonForIncompletion).toMatch(/syntax error/);
    expect((wf.tasks as any[])[0]).toMatchObject({ status: 'FAILED', outputData: { error: expect.stringMatching(/compile error/) } });
  });
});
