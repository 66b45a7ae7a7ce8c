import { startTestServer, type TestServer } from '../helpers/server';

/** What /metrics says about the engine itself (docs/operations.md, "Observing the engine"). */
describe('engine metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  const value = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);

  it('exports event-loop lag as a histogram, and counts decisions and scripts', async () => {
    await s.req('PUT', '/api/metadata/workflow', [
      {
        name: 'scripted',
        version: 1,
        tasks: [
          {
            name: 'calc',
            taskReferenceName: 'calc',
            type: 'INLINE',
            inputParameters: { evaluatorType: 'javascript', expression: '6 * 7' },
          },
        ],
      },
    ]);
    const id = (await s.req('POST', '/api/workflow/scripted', {})).text;
    expect((await s.req('GET', `/api/workflow/${id}`)).body.output).toEqual({ result: 42 });
    // Let the lag sampler (every 20 ms) observe a few times.
    await new Promise((r) => setTimeout(r, 100));
    const text = (await s.req('GET', '/metrics')).text;
    expect(text).toMatch(/^# TYPE baton_event_loop_lag_seconds histogram$/m);
    expect(text).toMatch(/^baton_event_loop_lag_seconds_bucket\{le="0\.05"\} \d+$/m);
    expect(value(text, 'baton_event_loop_lag_seconds_count')).toBeGreaterThan(0);
    expect(value(text, 'baton_decisions_total')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'baton_scripts_evaluated_total')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'baton_continuations_queued')).toBe(0);
  });
});
