import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/runtime/clock';
import { Sweeper } from '../../src/runtime/sweeper';
import { PolicyServer } from '../helpers/policy-server';
import { storeKinds, uniqueDbName, type StoreKind } from '../helpers/server';

/**
 * The four task time limits and the timeout policies, end to end through the REST API, on a
 * manual clock: each test moves time and runs the sweeper by hand (docs/policies.md).
 */
describe.each(storeKinds())('task timeouts (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
  });
  afterEach(async () => {
    await p.close();
  });

  const flow = async (taskDef: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> => {
    await p.taskDefs([
      { name: 'job', retryCount: 2, retryDelaySeconds: 5, ...taskDef },
      { name: 'after', retryCount: 0 },
    ]);
    await p.workflowDef({
      name: 'flow',
      tasks: [
        { name: 'job', taskReferenceName: 'job', ...extra },
        { name: 'after', taskReferenceName: 'after' },
      ],
    });
    return p.start('flow');
  };

  describe('pollTimeoutSeconds: scheduled but not claimed in time', () => {
    it('RETRY: the attempt times out and a new one is scheduled per the retry policy', async () => {
      const id = await flow({ pollTimeoutSeconds: 30, timeoutPolicy: 'RETRY' });
      expect(await p.tick(29_999)).toBe(0);
      expect(await p.tick(1)).toBeGreaterThan(0);
      const attempts = await p.tasksOf(id, 'job');
      expect(attempts.map((t) => [t.retryCount, t.status, t.timedOutBy])).toEqual([
        [0, 'TIMED_OUT', 'pollTimeoutSeconds'],
        [1, 'SCHEDULED', undefined],
      ]);
      expect(attempts[0].reasonForIncompletion).toMatch(/pollTimeoutSeconds/);
      // The retry waits its delay; its own poll deadline counts from when it becomes visible.
      expect(attempts[1].visibleAt - p.clock.now()).toBe(5000);
      expect(attempts[1].pollDeadlineAt).toBe(attempts[1].visibleAt + 30_000);
      expect(await p.metric('baton_task_timeouts_total', 'timeout="pollTimeoutSeconds",policy="RETRY"')).toBe(1);
    });

    it('TIME_OUT_WF: the workflow ends TIMED_OUT at once, retries left or not', async () => {
      const id = await flow({ pollTimeoutSeconds: 30, timeoutPolicy: 'TIME_OUT_WF' });
      await p.tick(30_000);
      const wf = await p.workflow(id);
      expect([wf.status, wf.failedReferenceTaskNames, wf.tasks.length]).toEqual(['TIMED_OUT', ['job'], 1]);
    });

    it('ALERT_ONLY: the alert is recorded on the task, once, and a worker can still take it', async () => {
      const id = await flow({ pollTimeoutSeconds: 30, timeoutPolicy: 'ALERT_ONLY' });
      await p.tick(30_000);
      expect(await p.tick(60_000)).toBe(0);
      const [job] = await p.tasksOf(id, 'job');
      expect([job.status, job.timeoutAlerts]).toEqual(['SCHEDULED', [{ kind: 'pollTimeoutSeconds', at: job.scheduledTime + 30_000 }]]);
      expect(await p.metric('baton_task_timeouts_total', 'timeout="pollTimeoutSeconds",policy="ALERT_ONLY"')).toBe(1);
      expect((await p.report(await p.pollOne('job'), 'COMPLETED')).status).toBe(200);
      expect((await p.tasksOf(id, 'after')).map((t) => t.status)).toEqual(['SCHEDULED']);
    });

    it('does not fire for an attempt claimed in time', async () => {
      const id = await flow({ pollTimeoutSeconds: 30, timeoutPolicy: 'TIME_OUT_WF', responseTimeoutSeconds: 600 });
      await p.tick(29_000);
      await p.pollOne('job');
      await p.tick(60_000);
      expect((await p.workflow(id)).status).toBe('RUNNING');
    });
  });

  describe('responseTimeoutSeconds: the lease', () => {
    it('always retries, even under TIME_OUT_WF: a lapsed lease means a lost worker (as in Conductor)', async () => {
      const id = await flow({ responseTimeoutSeconds: 10, timeoutPolicy: 'TIME_OUT_WF', retryDelaySeconds: 0 });
      const t = await p.pollOne('job', 'doomed');
      await p.tick(10_000);
      const attempts = await p.tasksOf(id, 'job');
      expect(attempts.map((a) => [a.retryCount, a.status, a.timedOutBy])).toEqual([
        [0, 'TIMED_OUT', 'responseTimeoutSeconds'],
        [1, 'SCHEDULED', undefined],
      ]);
      expect((await p.report(t, 'COMPLETED')).status).toBe(409);
    });

    it('is pushed back by lease extensions', async () => {
      const id = await flow({ responseTimeoutSeconds: 10 });
      const t = await p.pollOne('job');
      for (let i = 0; i < 5; i++) {
        await p.tick(8000);
        expect((await p.report(t, 'IN_PROGRESS', { extendLease: true })).status).toBe(200);
      }
      expect((await p.tasksOf(id, 'job')).map((a) => a.status)).toEqual(['IN_PROGRESS']);
    });
  });

  describe('timeoutSeconds: one attempt, from its first claim, whatever its lease', () => {
    const def = (policy: string) => ({ timeoutSeconds: 30, responseTimeoutSeconds: 10, timeoutPolicy: policy });

    it('RETRY: times the attempt out although the worker keeps extending its lease, and retries', async () => {
      const id = await flow(def('RETRY'));
      const t = await p.pollOne('job');
      expect(t.timeoutAt).toBe(p.clock.now() + 30_000);
      for (let i = 0; i < 3; i++) {
        await p.tick(8000);
        expect((await p.report(t, 'IN_PROGRESS', { extendLease: true })).status).toBe(200);
      }
      expect((await p.tasksOf(id, 'job'))[0].status).toBe('IN_PROGRESS');
      await p.tick(6000); // 30 s since the claim
      const attempts = await p.tasksOf(id, 'job');
      expect(attempts.map((a) => [a.retryCount, a.status, a.timedOutBy])).toEqual([
        [0, 'TIMED_OUT', 'timeoutSeconds'],
        [1, 'SCHEDULED', undefined],
      ]);
      expect((await p.report(t, 'COMPLETED')).status).toBe(409);
    });

    it('keeps counting across a callbackAfterSeconds re-queue (the attempt is the same)', async () => {
      const id = await flow({ ...def('RETRY'), responseTimeoutSeconds: 30 });
      const t = await p.pollOne('job');
      await p.tick(10_000);
      await p.report(t, 'IN_PROGRESS', { callbackAfterSeconds: 5 });
      await p.tick(5000);
      const again = await p.pollOne('job');
      expect([again.taskId, again.timeoutAt]).toEqual([t.taskId, t.timeoutAt]);
      await p.tick(15_000);
      expect((await p.tasksOf(id, 'job'))[0].timedOutBy).toBe('timeoutSeconds');
    });

    it('TIME_OUT_WF: the workflow ends TIMED_OUT', async () => {
      const id = await flow(def('TIME_OUT_WF'));
      const t = await p.pollOne('job');
      await p.tick(8000);
      await p.report(t, 'IN_PROGRESS', { extendLease: true });
      await p.tick(8000);
      await p.report(t, 'IN_PROGRESS', { extendLease: true });
      await p.tick(8000);
      await p.report(t, 'IN_PROGRESS', { extendLease: true });
      await p.tick(6000);
      const wf = await p.workflow(id);
      expect([wf.status, wf.tasks.map((x: any) => x.status)]).toEqual(['TIMED_OUT', ['TIMED_OUT']]);
      expect(wf.reasonForIncompletion).toMatch(/timeoutSeconds/);
    });

    it('ALERT_ONLY: the attempt goes on and completes; the alert is on the task and in the metrics', async () => {
      const id = await flow({ ...def('ALERT_ONLY'), responseTimeoutSeconds: 30 });
      const t = await p.pollOne('job');
      await p.tick(20_000);
      await p.report(t, 'IN_PROGRESS', { extendLease: true });
      await p.tick(10_000);
      await p.tick(10_000);
      const [job] = await p.tasksOf(id, 'job');
      expect([job.status, job.timeoutAlerts.map((a: any) => a.kind)]).toEqual(['IN_PROGRESS', ['timeoutSeconds']]);
      expect((await p.report(t, 'COMPLETED', { outputData: { late: true } })).status).toBe(200);
      expect((await p.tasksOf(id, 'job'))[0].status).toBe('COMPLETED');
      expect(await p.metric('baton_task_timeouts_total', 'timeout="timeoutSeconds",policy="ALERT_ONLY"')).toBe(1);
    });
  });

  describe('totalTimeoutSeconds: all attempts of the step together', () => {
    it('times out a retry that is still waiting out its delay, and gives up (no retry left in the budget)', async () => {
      const id = await flow({ totalTimeoutSeconds: 30, retryCount: 5, retryDelaySeconds: 20, timeoutPolicy: 'RETRY' });
      await p.tick(5000);
      await p.report(await p.pollOne('job'), 'FAILED', { reasonForIncompletion: 'flaky' });
      await p.tick(20_000);
      await p.report(await p.pollOne('job'), 'FAILED', { reasonForIncompletion: 'flaky again' });
      const pending = (await p.tasksOf(id, 'job'))[2];
      expect([pending.status, pending.visibleAt - p.clock.now(), pending.totalDeadlineAt - pending.visibleAt]).toEqual([
        'SCHEDULED',
        20_000,
        -15_000,
      ]);
      await p.tick(5000); // 30 s after the first attempt was scheduled
      const wf = await p.workflow(id);
      expect(wf.tasks.map((t: any) => [t.retryCount, t.status, t.timedOutBy])).toEqual([
        [0, 'FAILED', undefined],
        [1, 'FAILED', undefined],
        [2, 'TIMED_OUT', 'totalTimeoutSeconds'],
      ]);
      expect(wf.status).toBe('TIMED_OUT');
    });

    it('also ends a running attempt', async () => {
      const id = await flow({ totalTimeoutSeconds: 20, responseTimeoutSeconds: 600, timeoutPolicy: 'RETRY' });
      await p.pollOne('job');
      await p.tick(20_000);
      expect((await p.workflow(id)).tasks.map((t: any) => t.timedOutBy)).toEqual(['totalTimeoutSeconds']);
    });
  });

  describe('workflow timeoutSeconds', () => {
    it('TIME_OUT_WF: the sweeper wakes the workflow at its deadline and it ends TIMED_OUT', async () => {
      await p.taskDefs([{ name: 'job', responseTimeoutSeconds: 3600 }]);
      await p.workflowDef({
        name: 'slow',
        timeoutSeconds: 60,
        timeoutPolicy: 'TIME_OUT_WF',
        tasks: [{ name: 'job', taskReferenceName: 'job' }],
      });
      const id = await p.start('slow');
      const t = await p.pollOne('job');
      await p.tick(59_999);
      expect((await p.workflow(id)).status).toBe('RUNNING');
      await p.tick(1);
      const wf = await p.workflow(id);
      expect([wf.status, wf.tasks[0].status, wf.reasonForIncompletion]).toEqual(['TIMED_OUT', 'CANCELED', 'workflow timed out after 60s']);
      expect((await p.report(t, 'COMPLETED')).status).toBe(409);
    });

    it('ALERT_ONLY: recorded once (field, log, metric), the workflow goes on', async () => {
      await p.taskDefs([{ name: 'job', responseTimeoutSeconds: 3600 }]);
      await p.workflowDef({
        name: 'slow',
        timeoutSeconds: 60,
        timeoutPolicy: 'ALERT_ONLY',
        tasks: [{ name: 'job', taskReferenceName: 'job' }],
      });
      const id = await p.start('slow');
      await p.tick(60_000);
      await p.tick(60_000);
      const wf = await p.workflow(id);
      expect([wf.status, wf.timeoutAlertedAt]).toEqual(['RUNNING', wf.startTime + 60_000]);
      expect(await p.metric('baton_workflow_timeout_alerts_total', 'workflowName="slow"')).toBe(1);
      await p.report(await p.pollOne('job'), 'COMPLETED');
      expect((await p.workflow(id)).status).toBe('COMPLETED');
    });
  });

  it('fires each deadline once when several sweepers race on it', async () => {
    const id = await flow({ timeoutSeconds: 30, responseTimeoutSeconds: 30, timeoutPolicy: 'RETRY', retryDelaySeconds: 0 });
    await p.pollOne('job');
    p.clock.advance(30_000);
    const log = p.s.running.log;
    const sweepers = Array.from(
      { length: 4 },
      () => new Sweeper(p.engine, log, { intervalMs: 60_000, unappliedGraceMs: 2000, batch: 100 }),
    );
    await Promise.all(sweepers.map((sw) => sw.sweep()));
    const attempts = await p.tasksOf(id, 'job');
    expect(attempts.map((a) => [a.retryCount, a.status])).toEqual([
      [0, 'TIMED_OUT'],
      [1, 'SCHEDULED'],
    ]);
  });
});

/** Delays and deadlines live in the store: a restarted engine honours them, once. */
describe.each(storeKinds())('durable time across an engine restart (%s)', (kind: StoreKind) => {
  const sameStore = (): Record<string, string> =>
    kind === 'sqlite'
      ? { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-restart-')) }
      : { BATON_MONGODB_DB: uniqueDbName('baton_restart') };

  it('a retry delay and an attempt deadline set before a restart fire after it', async () => {
    const env = sameStore();
    const clock = new ManualClock();
    const first = await PolicyServer.start(kind, env, clock);
    await first.taskDefs([
      { name: 'job', retryCount: 3, retryDelaySeconds: 60, timeoutSeconds: 30, responseTimeoutSeconds: 30, timeoutPolicy: 'RETRY' },
    ]);
    await first.workflowDef({ name: 'flow', tasks: [{ name: 'job', taskReferenceName: 'job' }] });
    const id = await first.start('flow');
    await first.report(await first.pollOne('job'), 'FAILED', { reasonForIncompletion: 'before restart' });
    await first.close();

    clock.advance(59_000);
    const second = await PolicyServer.start(kind, env, clock);
    try {
      expect(await second.poll('job')).toEqual([]);
      clock.advance(1000);
      const retry = await second.pollOne('job');
      expect(retry.retryCount).toBe(1);
      await second.close();

      // The claim's timeoutSeconds deadline survives the next restart too.
      clock.advance(30_000);
      const third = await PolicyServer.start(kind, env, clock);
      try {
        expect(await third.tick(0)).toBeGreaterThan(0);
        expect(await third.tick(0)).toBe(0);
        const attempts = await third.tasksOf(id, 'job');
        expect(attempts.map((a) => [a.retryCount, a.status, a.timedOutBy])).toEqual([
          [0, 'FAILED', undefined],
          [1, 'TIMED_OUT', 'timeoutSeconds'],
          [2, 'SCHEDULED', undefined],
        ]);
      } finally {
        await third.close();
      }
    } finally {
      await second.close();
    }
  });
});
