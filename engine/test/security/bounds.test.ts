import { INT32_MAX } from '@baton/definitions';
import { startTestServer, type TestServer } from '../helpers/server';

/** Numbers over REST: out of range is a 400 naming the field, and nothing changes. */
describe('numeric bounds over REST', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'bounded', responseTimeoutSeconds: 60 }]);
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'bounded_flow', version: 1, tasks: [{ name: 'bounded', taskReferenceName: 'b' }] },
    ]);
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses task definitions with retryCount 1e308 or timeouts of 1e18 s, naming each field', async () => {
    const r = await s.req('POST', '/api/metadata/taskdefs', [
      { name: 'huge', retryCount: 1e308, timeoutSeconds: 1e18, responseTimeoutSeconds: 1e18 },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/0/retryCount', message: `must be <= ${INT32_MAX}` },
        { pointer: '/0/timeoutSeconds', message: `must be <= ${INT32_MAX}` },
        { pointer: '/0/responseTimeoutSeconds', message: `must be <= ${INT32_MAX}` },
      ]),
    );
    expect((await s.req('GET', '/api/metadata/taskdefs/huge')).status).toBe(404);
    const wf = await s.req('POST', '/api/metadata/workflow', {
      name: 'slow',
      timeoutSeconds: 1e308,
      tasks: [{ name: 'bounded', taskReferenceName: 'b' }],
    });
    expect(wf.status).toBe(400);
    expect(wf.body.errors).toEqual([{ pointer: '/timeoutSeconds', message: `must be <= ${INT32_MAX}` }]);
  });

  it('refuses callbackAfterSeconds 1e308 (it would park the task forever) and keeps the claim as it was', async () => {
    await s.req('POST', '/api/workflow/bounded_flow', {});
    const [t] = (await s.req('GET', '/api/tasks/poll/batch/bounded?workerid=w&timeout=0')).body as any[];
    for (const callbackAfterSeconds of [1e308, INT32_MAX + 1, -1, 1.5]) {
      const r = await s.req('POST', '/api/tasks', {
        taskId: t.taskId,
        workerId: 'w',
        attemptToken: t.attemptToken,
        status: 'IN_PROGRESS',
        callbackAfterSeconds,
      });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].pointer).toBe('/callbackAfterSeconds');
    }
    const after = (await s.req('GET', `/api/tasks/${t.taskId}`)).body;
    expect(after).toMatchObject({ status: 'IN_PROGRESS', attemptToken: t.attemptToken, visibleAt: t.visibleAt });
    const ok = await s.req('POST', '/api/tasks', {
      taskId: t.taskId,
      workerId: 'w',
      attemptToken: t.attemptToken,
      status: 'IN_PROGRESS',
      callbackAfterSeconds: 30,
    });
    expect(ok.status).toBe(200);
  });

  it('refuses out-of-range poll, search and version parameters, naming each', async () => {
    const cases: Array<[string, string]> = [
      ['/api/tasks/poll/batch/bounded?count=1e308', '/query/count'],
      ['/api/tasks/poll/batch/bounded?count=101', '/query/count'],
      ['/api/tasks/poll/batch/bounded?timeout=99999999999', '/query/timeout'],
      ['/api/tasks/poll/bounded?timeout=-1', '/query/timeout'],
      ['/api/workflow/search?size=1e9', '/query/size'],
      ['/api/metadata/workflow/bounded_flow?version=1e308', '/query/version'],
      ['/api/tasks/failed?limit=1e308', '/query/limit'],
    ];
    for (const [path, pointer] of cases) {
      const r = await s.req('GET', path);
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.body.errors[0].pointer).toBe(pointer);
    }
    const start = await s.req('POST', '/api/workflow', { name: 'bounded_flow', version: 1e308 });
    expect(start.status).toBe(400);
    expect(start.body.errors[0].pointer).toBe('/version');
    expect((await s.req('DELETE', '/api/metadata/workflow/bounded_flow/99999999999')).status).toBe(400);
  });
});
