import { ManualClock } from '../../src/runtime/clock';
import { PolicyServer } from '../helpers/policy-server';
import { startTestServer, storeKinds, uniqueDbName } from '../helpers/server';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** Conductor's scheduler on a manual clock: each due time fires once, missed ones only when asked. */
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0); // a Monday, 08:00:00 UTC

describe.each(storeKinds())('schedules (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind, {}, new ManualClock(T0));
    await p.taskDefs([{ name: 'report' }]);
    await p.workflowDef({ name: 'nightly', version: 1, tasks: [{ name: 'report', taskReferenceName: 'report' }] });
  });
  afterEach(async () => {
    await p.close();
  });

  const schedule = (extra: Record<string, unknown> = {}) =>
    p.s.req('POST', '/api/scheduler/schedules', {
      name: 'every_minute',
      cronExpression: '0 * * * * *',
      startWorkflowRequest: { name: 'nightly', input: { scope: 'all' } },
      ...extra,
    });
  const runs = async () =>
    (await p.s.req('GET', '/api/workflow/search?query=workflowType%20IN%20(nightly)&sort=startTime:ASC&size=1000')).body;

  it('stores Conductor WorkflowSchedules and refuses bad ones with 400 naming the field', async () => {
    const r = await schedule({ description: 'reports' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'every_minute',
      zoneId: 'UTC',
      paused: false,
      runCatchupScheduleInstances: false,
      nextRunTime: T0 + 60_000,
      createTime: T0,
    });
    expect((await p.s.req('GET', '/api/scheduler/schedules')).body.map((s: any) => s.name)).toEqual(['every_minute']);
    expect((await p.s.req('GET', '/api/scheduler/schedules?workflowName=other')).body).toEqual([]);
    expect((await p.s.req('GET', '/api/scheduler/schedules/every_minute')).body.description).toBe('reports');
    expect((await p.s.req('GET', '/api/scheduler/schedules/none')).status).toBe(404);
    const search = await p.s.req('GET', '/api/scheduler/schedules/search?workflowName=nightly&paused=false&freeText=report');
    expect(search.body).toMatchObject({ totalHits: 1, results: [{ name: 'every_minute' }] });

    const five = await schedule({ cronExpression: '* * * * *' });
    expect(five.status).toBe(400);
    expect(five.body.errors).toEqual([{ pointer: '/cronExpression', message: expect.stringMatching(/six-field/) }]);
    expect((await schedule({ cronExpression: '0 0 25 * * *' })).body.errors[0].pointer).toBe('/cronExpression');
    expect((await schedule({ zoneId: 'Mars/Olympus' })).body.errors).toEqual([
      { pointer: '/zoneId', message: expect.stringMatching(/time zone/) },
    ]);
    expect((await schedule({ startWorkflowRequest: { name: 'unknown' } })).body.errors).toEqual([
      { pointer: '/startWorkflowRequest/name', message: 'names no registered workflow definition' },
    ]);
    expect((await schedule({ startWorkflowRequest: {} })).body.errors).toEqual([
      { pointer: '/startWorkflowRequest/name', message: 'is required' },
    ]);
    expect((await schedule({ scheduleStartTime: 10, scheduleEndTime: 5 })).body.errors).toEqual([
      { pointer: '/scheduleEndTime', message: 'must be after scheduleStartTime' },
    ]);
    expect((await p.s.req('DELETE', '/api/scheduler/schedules/every_minute')).status).toBe(200);
    expect((await p.s.req('DELETE', '/api/scheduler/schedules/every_minute')).status).toBe(404);
  });

  it('fires each due time exactly once, with the due time in the input, and records the execution', async () => {
    await schedule();
    await p.tick(59_999);
    expect((await runs()).totalHits).toBe(0);
    await p.tick(1);
    await p.tick(0);
    await p.tick(30_000);
    expect((await runs()).totalHits).toBe(1);
    await p.tick(30_000);
    const two = await runs();
    expect(two.totalHits).toBe(2);
    const first = await p.workflow(two.results[0].workflowId);
    expect(first.input).toEqual({ scope: 'all', _scheduledTime: T0 + 60_000, _executedTime: T0 + 60_000 });
    const executions = (
      await p.s.req('GET', '/api/scheduler/search/executions?query=scheduleName%20%3D%20every_minute&sort=scheduledTime:ASC')
    ).body;
    expect(executions.totalHits).toBe(2);
    expect(executions.results.map((x: any) => [x.scheduledTime, x.state, x.workflowId])).toEqual([
      [T0 + 60_000, 'EXECUTED', two.results[0].workflowId],
      [T0 + 120_000, 'EXECUTED', two.results[1].workflowId],
    ]);
    const bad = await p.s.req('GET', '/api/scheduler/search/executions?query=reason%20%3D%20x');
    expect(bad.status).toBe(400);
    expect((await p.s.req('GET', `/api/scheduler/search/executions?query=scheduledTime%20%3E%20${T0 + 60_000}`)).body.totalHits).toBe(1);
  });

  it('skips due times missed while no engine ran, unless runCatchupScheduleInstances', async () => {
    await schedule();
    await schedule({ name: 'catch_up', runCatchupScheduleInstances: true });
    // Ten minutes and a half without a sweep: due at +1..+10 min; now is +10.5 min.
    p.clock.advance(630_000);
    await p.tick(0);
    await p.tick(0);
    const all = await p.s.req('GET', '/api/scheduler/search/executions?size=100&sort=scheduledTime:ASC');
    const of = (name: string) =>
      all.body.results.filter((x: any) => x.scheduleName === name).map((x: any) => (x.scheduledTime - T0) / 60_000);
    // Within the one-minute misfire grace: only +10 is late rather than missed.
    expect(of('every_minute')).toEqual([10]);
    expect(of('catch_up')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await p.s.req('GET', '/api/scheduler/schedules/every_minute')).body.nextRunTime).toBe(T0 + 660_000);
  });

  it('a paused schedule does not fire; resumed, it goes on from the next due time without catching up', async () => {
    await schedule();
    expect((await p.s.req('PUT', '/api/scheduler/schedules/every_minute/pause?reason=maintenance')).status).toBe(200);
    expect((await p.s.req('GET', '/api/scheduler/schedules/every_minute')).body).toMatchObject({
      paused: true,
      pausedReason: 'maintenance',
    });
    await p.tick(300_000);
    expect((await runs()).totalHits).toBe(0);
    expect((await p.s.req('PUT', '/api/scheduler/bulk/resume', ['every_minute', 'unknown'])).body).toEqual({
      bulkSuccessfulResults: ['every_minute'],
      bulkErrorResults: { unknown: "schedule 'unknown' not found" },
    });
    expect((await p.s.req('GET', '/api/scheduler/schedules/every_minute')).body).toMatchObject({
      paused: false,
      nextRunTime: T0 + 360_000,
    });
    await p.tick(60_000);
    expect((await runs()).totalHits).toBe(1);
    expect((await p.s.req('PUT', '/api/scheduler/schedules/none/pause')).status).toBe(404);
  });

  it('honours scheduleStartTime and scheduleEndTime, and previews due times in a zone', async () => {
    await schedule({ scheduleStartTime: T0 + 180_000, scheduleEndTime: T0 + 300_000 });
    for (let minute = 1; minute <= 10; minute++) await p.tick(60_000);
    expect((await runs()).results.map((r: any) => (r.createTime - T0) / 60_000)).toEqual([3, 4, 5]);
    const executions = (await p.s.req('GET', '/api/scheduler/search/executions?sort=scheduledTime:ASC')).body.results;
    expect(executions.map((x: any) => (x.scheduledTime - T0) / 60_000)).toEqual([3, 4, 5]);
    expect((await p.s.req('GET', '/api/scheduler/schedules/every_minute')).body.nextRunTime).toBe(0);

    const next = await p.s.req(
      'GET',
      `/api/scheduler/nextFewSchedules?cronExpression=0%200%209%20*%20*%20MON-FRI&zoneId=America/New_York&scheduleStartTime=${T0}&limit=3`,
    );
    expect(next.body).toEqual([Date.UTC(2026, 0, 5, 14), Date.UTC(2026, 0, 6, 14), Date.UTC(2026, 0, 7, 14)]);
    expect((await p.s.req('GET', '/api/scheduler/nextFewSchedules?cronExpression=nonsense')).body.errors[0].pointer).toBe(
      '/query/cronExpression',
    );
  });
});

if (storeKinds().includes('mongodb')) {
  describe('schedules on two engines sharing one MongoDB', () => {
    it('fires each due time once though both engines sweep at the same moments', async () => {
      const db = uniqueDbName('baton_sched');
      const clock = new ManualClock(T0);
      const env = { BATON_MONGODB_DB: db, BATON_SWEEP_INTERVAL_MS: '60000' };
      const a = await startTestServer('mongodb', { clock, env });
      const b = await startTestServer('mongodb', { clock, env });
      try {
        await a.req('PUT', '/api/metadata/workflow', [
          { name: 'nightly', version: 1, tasks: [{ name: 'report', taskReferenceName: 'report', type: 'WAIT' }] },
        ]);
        await a.req('POST', '/api/scheduler/schedules', {
          name: 's',
          cronExpression: '*/10 * * * * *',
          startWorkflowRequest: { name: 'nightly' },
          runCatchupScheduleInstances: true,
        });
        for (let i = 0; i < 12; i++) {
          clock.advance(5_000);
          await Promise.all([a.running.sweeper.sweep(), b.running.sweeper.sweep()]);
        }
        const runs = (await a.req('GET', '/api/workflow/search?query=workflowType%20IN%20(nightly)&size=100')).body;
        const due = (await a.req('GET', '/api/scheduler/search/executions?size=100&sort=scheduledTime:ASC')).body;
        expect(due.results.map((x: any) => (x.scheduledTime - T0) / 1000)).toEqual([10, 20, 30, 40, 50, 60]);
        expect(runs.totalHits).toBe(6);
        expect(new Set(due.results.map((x: any) => x.workflowId)).size).toBe(6);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
