import { ADMIN, authEnv, bearer, createKey, tokenFor } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';
import { until } from './until';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** Events' data, signals' payloads and query values are payloads: viewers get `***`, operators the values. */
describe('reactions and roles', () => {
  let s: TestServer;
  let admin: Record<string, string>;
  let viewer: Record<string, string>;
  let worker: Record<string, string>;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { env: authEnv });
    const token = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
    admin = bearer(token);
    const v = await createKey(s, token, { role: 'viewer' });
    viewer = bearer(await tokenFor(s, v.keyId, v.keySecret));
    const w = await createKey(s, token, { role: 'worker', taskTypes: ['*'] });
    worker = bearer(await tokenFor(s, w.keyId, w.keySecret));
  }, 60_000);
  afterAll(async () => {
    await s.close();
  });

  it('masks payloads for viewers, and keeps publishing, signalling and scheduling to operators', async () => {
    await s.req(
      'PUT',
      '/api/metadata/workflow',
      [
        {
          name: 'q',
          version: 1,
          tasks: [{ name: 's', taskReferenceName: 's', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go' } }],
          queries: { secret: '.input.card' },
        },
      ],
      admin,
    );
    const id = (await s.req('POST', '/api/workflow', { name: 'q', input: { card: '4111' } }, admin)).text;
    const e = await s.req('POST', '/api/events', { name: 'x', data: { card: '4111' } }, admin);
    expect(e.status).toBe(202);
    await s.req('POST', `/api/workflow/${id}/signal/later`, { card: '4111' }, admin);

    expect((await s.req('GET', `/api/workflow/${id}/query/secret`, undefined, admin)).body).toBe('4111');
    expect((await s.req('GET', `/api/workflow/${id}/query/secret`, undefined, viewer)).body).toBe('***');
    const listed = await until(
      async () => (await s.req('GET', '/api/events?name=x', undefined, viewer)).body,
      (l) => l.length === 1,
    );
    expect(listed[0].data).toBe('***');
    expect((await s.req('GET', `/api/events/${e.body.id}`, undefined, admin)).body.data).toEqual({ card: '4111' });
    expect((await s.req('GET', `/api/workflow/${id}/signals`, undefined, viewer)).body[0].payload).toBe('***');

    for (const [method, path, body] of [
      ['POST', '/api/events', { name: 'x' }],
      ['POST', `/api/workflow/${id}/signal/go`, {}],
      ['POST', '/api/scheduler/schedules', { name: 's', cronExpression: '0 * * * * *', startWorkflowRequest: { name: 'q' } }],
      ['POST', '/api/event', { name: 'h', event: 'conductor:x', actions: [{ action: 'start_workflow', start_workflow: { name: 'q' } }] }],
    ] as const) {
      expect([path, (await s.req(method, path, body, viewer)).status]).toEqual([path, 403]);
      expect([path, (await s.req(method, path, body, worker)).status]).toEqual([path, 403]);
    }
    expect((await s.req('GET', '/api/scheduler/schedules', undefined, viewer)).status).toBe(200);
  });
});
