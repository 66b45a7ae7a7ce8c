import { startTestServer, type TestServer } from '../helpers/server';

/** The request metric is labelled by route template: its series are bounded by the route table. */
describe('/metrics labels', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await s.close();
  });

  const series = async (): Promise<string[]> =>
    (await s.req('GET', '/metrics')).text.split('\n').filter((l) => l.startsWith('baton_http_requests_total{'));

  it('counts requests under their route template, and every unknown path under one label', async () => {
    const before = (await series()).length;
    for (let i = 0; i < 300; i++) {
      await s.req('GET', `/api/workflow/wf-${i}-${Math.random().toString(36).slice(2)}`);
      await s.req('GET', `/api/tasks/poll/batch/type_${i}?timeout=0`);
      await s.req('GET', `/api/no/such/path/${i}`);
      await s.req('DELETE', `/nothing-${i}/here`);
    }
    const lines = await series();
    expect(lines.length - before).toBeLessThanOrEqual(4);
    const value = (label: string): number =>
      Number(
        lines
          .find((l) => l.includes(`route="${label}"`))
          ?.split(' ')
          .pop(),
      );
    expect(value('GET /api/workflow/:workflowId')).toBeGreaterThanOrEqual(300);
    expect(value('GET /api/tasks/poll/batch/:taskType')).toBeGreaterThanOrEqual(300);
    expect(value('unmatched')).toBeGreaterThanOrEqual(600);
    expect(lines.join('\n')).not.toMatch(/wf-\d|type_\d|nothing-/);
    // 1,200 requests: about 1 s on an idle machine, far more when other work shares its 2 cores.
  }, 120_000);
});
