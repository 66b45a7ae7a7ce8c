import type { Store } from '../../src/store/port';
import { taskRecord, workflowRecord } from '../helpers/records';

let tokenSeq = 0;
const newToken = (): string => `rtok-${++tokenSeq}`;

/**
 * The store operations behind resiliency policies (docs/policies.md): deadlines and their fenced
 * sweeps, claim give-back, rate-limit windows, poison marks, idempotent starts. Part of the
 * contract suite, so it runs against every adapter.
 */
export function resiliencyContract(current: () => Store): void {
  describe('resiliency', () => {
    const seed = async (...tasks: Parameters<typeof taskRecord>[0][]): Promise<void> => {
      await current().createWorkflow(workflowRecord({ workflowId: 'w1' }), tasks.map(taskRecord));
    };
    const claim = (now: number, extra: { timeoutMs?: number; count?: number } = {}) =>
      current().claimTasks({
        taskType: 'work',
        count: extra.count ?? 1,
        workerId: 'wk',
        now,
        leaseMs: 1000,
        newToken,
        ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
      });

    it('creates a workflow with a given id once: a repeat answers false and changes nothing', async () => {
      const store = current();
      expect(
        await store.createWorkflow(workflowRecord({ workflowId: 'fixed', input: { n: 1 } }), [
          taskRecord({ taskId: 'fixed-t', workflowInstanceId: 'fixed' }),
        ]),
      ).toBe(true);
      expect(
        await store.createWorkflow(workflowRecord({ workflowId: 'fixed', input: { n: 2 } }), [
          taskRecord({ taskId: 'fixed-t', workflowInstanceId: 'fixed' }),
        ]),
      ).toBe(false);
      expect((await store.getWorkflow('fixed'))?.input).toEqual({ n: 1 });
      expect(await store.getTasks('fixed')).toHaveLength(1);
    });

    it('starts the attempt clock on the first claim and keeps it on a re-claim after a callback', async () => {
      const store = current();
      await seed({ taskId: 't', workflowInstanceId: 'w1', totalDeadlineAt: 50_000, deadlineAt: 50_000 });
      const [c1] = await claim(1000, { timeoutMs: 10_000 });
      expect([c1?.timeoutAt, c1?.deadlineAt]).toEqual([11_000, 11_000]);
      expect((await store.getTask('t'))?.deadlineAt).toBe(11_000);
      await store.progressAttempt({
        taskId: 't',
        attemptToken: c1!.attemptToken,
        workerId: 'wk',
        outputData: {},
        logs: [],
        callbackAfterMs: 500,
        leaseMs: 1000,
        pollDeadlineAt: 9_500,
        now: 2000,
      });
      expect((await store.getTask('t'))?.pollDeadlineAt).toBe(9_500);
      const [c2] = await claim(3000, { timeoutMs: 10_000 });
      expect([c2?.timeoutAt, c2?.deadlineAt, c2?.pollCount]).toEqual([11_000, 11_000, 2]);
    });

    it('caps the attempt deadline by the total deadline, and claims without a limit start none', async () => {
      await seed(
        { taskId: 'short-total', workflowInstanceId: 'w1', rank: 1, totalDeadlineAt: 4_000, deadlineAt: 4_000 },
        { taskId: 'no-limit', workflowInstanceId: 'w1', rank: 2 },
      );
      const [a] = await claim(1000, { timeoutMs: 10_000 });
      expect([a?.taskId, a?.timeoutAt, a?.deadlineAt]).toEqual(['short-total', 11_000, 4_000]);
      const [b] = await claim(1000);
      expect([b?.taskId, b?.timeoutAt, b?.deadlineAt]).toEqual(['no-limit', 0, 0]);
    });

    it('gives a claim back as it was before, only for the claim holder', async () => {
      const store = current();
      await seed({ taskId: 't', workflowInstanceId: 'w1', totalDeadlineAt: 90_000, deadlineAt: 90_000 });
      const [c] = await claim(1000, { timeoutMs: 5000 });
      expect(await store.releaseClaim('t', 'not-the-token', { startTime: 0, timeoutAt: 0, deadlineAt: 90_000 }, 1001)).toBe(false);
      expect(await store.releaseClaim('t', c!.attemptToken!, { startTime: 0, timeoutAt: 0, deadlineAt: 90_000 }, 1001)).toBe(true);
      const back = await store.getTask('t');
      expect([
        back?.status,
        back?.attemptToken,
        back?.workerId,
        back?.leaseUntil,
        back?.startTime,
        back?.timeoutAt,
        back?.deadlineAt,
        back?.pollCount,
      ]).toEqual(['SCHEDULED', null, null, 0, 0, 0, 90_000, 0]);
      expect(await store.inProgressCount('work')).toBe(0);
      expect(await store.expiredLeases(1_000_000, 10)).toEqual([]);
      const [again] = await claim(2000, { timeoutMs: 5000 });
      expect([again?.timeoutAt, again?.pollCount]).toEqual([7000, 1]);
    });

    it('finds due poll deadlines and times the attempt out only while that deadline stands', async () => {
      const store = current();
      await seed(
        { taskId: 'p', workflowInstanceId: 'w1', pollDeadlineAt: 5000 },
        { taskId: 'none', workflowInstanceId: 'w1', visibleAt: 9_000_000, rank: 9_000_000 },
      );
      expect(await store.expiredPollDeadlines(4999, 10)).toEqual([]);
      expect((await store.expiredPollDeadlines(5000, 10)).map((t) => t.taskId)).toEqual(['p']);
      const fence = { status: 'SCHEDULED' as const, attemptToken: null };
      expect(await store.timeOutAttempt('p', { ...fence, pollDeadlineAt: 4000 }, 'poll', 5000, 'pollTimeoutSeconds')).toBeNull();
      const out = await store.timeOutAttempt('p', { ...fence, pollDeadlineAt: 5000 }, 'poll', 5000, 'pollTimeoutSeconds');
      expect([out?.status, out?.timedOutBy, out?.applied]).toEqual(['TIMED_OUT', 'pollTimeoutSeconds', false]);
      expect(await store.expiredPollDeadlines(10_000, 10)).toEqual([]);
    });

    it('finds due attempt and total deadlines of open attempts, scheduled or running', async () => {
      const store = current();
      await seed(
        { taskId: 'queued', workflowInstanceId: 'w1', rank: 1, totalDeadlineAt: 3000, deadlineAt: 3000, visibleAt: 2_000_000 },
        { taskId: 'running', workflowInstanceId: 'w1', rank: 2 },
        { taskId: 'done', workflowInstanceId: 'w1', status: 'COMPLETED', deadlineAt: 1000 },
      );
      await claim(1000, { timeoutMs: 4000 });
      expect((await store.expiredDeadlines(2999, 10)).map((t) => t.taskId)).toEqual([]);
      expect((await store.expiredDeadlines(3000, 10)).map((t) => t.taskId)).toEqual(['queued']);
      expect((await store.expiredDeadlines(5000, 10)).map((t) => t.taskId)).toEqual(['queued', 'running']);
      const running = (await store.getTask('running'))!;
      const fence = { status: running.status, attemptToken: running.attemptToken };
      expect(await store.timeOutAttempt('running', { ...fence, deadlineAt: 4999 }, 'x', 5000, 'timeoutSeconds')).toBeNull();
      expect((await store.timeOutAttempt('running', { ...fence, deadlineAt: 5000 }, 'x', 5000, 'timeoutSeconds'))?.timedOutBy).toBe(
        'timeoutSeconds',
      );
      // A report that arrives after the timeout is refused: the attempt is no longer the claim's.
      const late = await store.completeAttempt({
        taskId: 'running',
        attemptToken: running.attemptToken,
        workerId: 'wk',
        status: 'COMPLETED',
        outputData: {},
        reasonForIncompletion: null,
        logs: [],
        now: 5001,
      });
      expect(late.kind).toBe('stale');
    });

    it('does not time out a lease that was extended after the sweeper read it', async () => {
      const store = current();
      await seed({ taskId: 't', workflowInstanceId: 'w1' });
      const [c] = await claim(1000);
      const [seen] = await store.expiredLeases(2000, 10);
      await store.progressAttempt({
        taskId: 't',
        attemptToken: c!.attemptToken,
        workerId: 'wk',
        outputData: {},
        logs: [],
        callbackAfterMs: 0,
        leaseMs: 1000,
        now: 2000,
      });
      const fence = { status: 'IN_PROGRESS' as const, attemptToken: seen!.attemptToken, leaseUntil: seen!.leaseUntil };
      expect(await store.timeOutAttempt('t', fence, 'lease', 2000, 'responseTimeoutSeconds')).toBeNull();
      expect((await store.getTask('t'))?.status).toBe('IN_PROGRESS');
    });

    it('records an ALERT_ONLY alert once and moves the deadline that fired', async () => {
      const store = current();
      await seed({ taskId: 't', workflowInstanceId: 'w1', totalDeadlineAt: 9000, deadlineAt: 9000 });
      const [c] = await claim(1000, { timeoutMs: 2000 });
      const fence = { status: 'IN_PROGRESS' as const, attemptToken: c!.attemptToken, deadlineAt: 3000 };
      const marked = await store.recordTimeoutAlert('t', fence, { kind: 'timeoutSeconds', at: 3000 }, { deadlineAt: 9000 }, 3100);
      expect([marked?.status, marked?.deadlineAt, marked?.timeoutAlerts]).toEqual([
        'IN_PROGRESS',
        9000,
        [{ kind: 'timeoutSeconds', at: 3000 }],
      ]);
      expect(await store.recordTimeoutAlert('t', fence, { kind: 'timeoutSeconds', at: 3000 }, { deadlineAt: 9000 }, 3200)).toBeNull();
      expect(await store.expiredDeadlines(8999, 10)).toEqual([]);
      await store.recordTimeoutAlert(
        't',
        { ...fence, deadlineAt: 9000 },
        { kind: 'totalTimeoutSeconds', at: 9000 },
        { deadlineAt: 0 },
        9000,
      );
      expect(await store.expiredDeadlines(1_000_000, 10)).toEqual([]);
      expect((await store.getTask('t'))?.timeoutAlerts.map((a) => a.kind)).toEqual(['timeoutSeconds', 'totalTimeoutSeconds']);
    });

    it('takes rate-limit tokens per window, partially when few are left, and takes returns', async () => {
      const store = current();
      expect(await store.takeRateTokens('r', 0, 5, 3)).toBe(3);
      expect(await store.takeRateTokens('r', 0, 5, 3)).toBe(2);
      expect(await store.takeRateTokens('r', 0, 5, 1)).toBe(0);
      await store.returnRateTokens('r', 0, 2);
      expect(await store.takeRateTokens('r', 0, 5, 9)).toBe(2);
      // A return for a window that is over changes nothing.
      expect(await store.takeRateTokens('r', 1000, 5, 4)).toBe(4);
      await store.returnRateTokens('r', 0, 4);
      expect(await store.takeRateTokens('r', 1000, 5, 4)).toBe(1);
      // A window older than the stored one (a clock behind) gets nothing.
      expect(await store.takeRateTokens('r', 0, 5, 1)).toBe(0);
      expect(await store.takeRateTokens('other', 1000, 5, 5)).toBe(5);
    });

    it('never grants more than the limit to concurrent takers of one window', async () => {
      const store = current();
      const grants = await Promise.all(Array.from({ length: 20 }, () => store.takeRateTokens('busy', 7000, 10, 2)));
      expect(grants.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10);
      expect(grants.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });

    it('marks the attempts a decision gave up on as exhausted and lists them newest first', async () => {
      const store = current();
      await seed(
        { taskId: 'old', workflowInstanceId: 'w1', status: 'FAILED', applied: false, updateTime: 100, reasonForIncompletion: 'first' },
        { taskId: 'new', workflowInstanceId: 'w1', status: 'FAILED_WITH_TERMINAL_ERROR', applied: false, updateTime: 200, taskType: 'pay' },
        { taskId: 'retried', workflowInstanceId: 'w1', status: 'FAILED', applied: false, updateTime: 300 },
        { taskId: 'open', workflowInstanceId: 'w1', rank: 5 },
      );
      const base = { workflowId: 'w1', workflow: {}, newTasks: [], closeTasks: [], now: 400 };
      expect(
        await store.commitDecision({
          ...base,
          expectedRevision: 0,
          appliedTaskIds: ['old', 'new', 'retried'],
          exhaustedTaskIds: ['old', 'new', 'open'],
        }),
      ).toBe(true);
      expect((await store.failedTasks(null, 10)).map((t) => t.taskId)).toEqual(['new', 'old']);
      expect((await store.failedTasks('work', 10)).map((t) => [t.taskId, t.reasonForIncompletion, t.exhausted])).toEqual([
        ['old', 'first', true],
      ]);
      expect((await store.failedTasks('pay', 10)).map((t) => t.taskId)).toEqual(['new']);
      expect((await store.failedTasks(null, 1)).map((t) => t.taskId)).toEqual(['new']);
      expect((await store.getTask('open'))?.exhausted).toBe(false);
      expect(await store.unappliedResults('w1')).toEqual([]);
    });
  });
}
