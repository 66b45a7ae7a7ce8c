import { ManualClock } from '../../src/runtime/clock';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

const DAY = 86_400_000;

/** Retention of finished runs (docs/operations.md), on every store, with the clock driven by hand. */
describe.each(storeKinds())('retention (%s)', (kind) => {
  let s: TestServer;
  const clock = new ManualClock(1_800_000_000_000);
  beforeAll(async () => {
    s = await startTestServer(kind, {
      clock,
      env: { BATON_RETENTION_DAYS: '7', BATON_RETENTION_ARCHIVE: 'true', BATON_ARCHIVE_RETENTION_DAYS: '30' },
    });
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'brief', version: 1, tasks: [{ name: 'n', taskReferenceName: 'n', type: 'NOOP' }] },
    ]);
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'waits', version: 1, tasks: [{ name: 'h', taskReferenceName: 'h', type: 'HUMAN' }] },
    ]);
  });
  afterAll(() => s.close());

  it('archives runs a week after they ended, keeps them readable, and deletes the archive after 30 days', async () => {
    const done = (await s.req('POST', '/api/workflow/brief', {})).text;
    const running = (await s.req('POST', '/api/workflow/waits', {})).text;
    expect((await s.req('GET', `/api/workflow/${done}`)).body.status).toBe('COMPLETED');

    clock.advance(6 * DAY);
    expect(await s.running.retention.pass()).toEqual({ removed: 0, archivePurged: 0 });
    clock.advance(2 * DAY);
    expect((await s.running.retention.pass()).removed).toBe(1);

    const archived = await s.req('GET', `/api/workflow/${done}`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ workflowId: done, status: 'COMPLETED', archived: true });
    expect(archived.body.tasks.map((t: any) => t.referenceTaskName)).toEqual(['n']);
    expect((await s.req('GET', `/api/workflow/${running}`)).body).toMatchObject({ status: 'RUNNING' });
    expect((await s.req('GET', `/api/workflow/search?query=${encodeURIComponent('workflowType IN (brief)')}`)).body.totalHits).toBe(0);

    clock.advance(31 * DAY);
    expect((await s.running.retention.pass()).archivePurged).toBe(1);
    expect((await s.req('GET', `/api/workflow/${done}`)).status).toBe(404);
  });
});
