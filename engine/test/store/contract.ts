import type { TaskDef, WorkflowDef } from '@baton/definitions';
import type { Store } from '../../src/store/port';
import { taskRecord, workflowRecord } from '../helpers/records';
import { resiliencyContract } from './contract-resiliency';
import { securityContract } from './contract-security';
import { decisionsContract } from './contract-decisions';
import { systemTasksContract } from './contract-system-tasks';
import { reactionsContract } from './contract-reactions';

let tokenSeq = 0;
const newToken = (): string => `tok-${++tokenSeq}`;

/**
 * The storage port's contract, run against every adapter (one database per test file). Each
 * case pins a behaviour the engine's correctness relies on; the comments name the invariant.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('definitions', () => {
      it('upserts task definitions and records each change with before and after', async () => {
        await store.putTaskDefs([{ name: 'a', retryCount: 1 } as TaskDef], 'alice', 10);
        await store.putTaskDefs([{ name: 'a', retryCount: 4 } as TaskDef], 'bob', 20);
        await store.putTaskDefs([{ name: 'a', retryCount: 4 } as TaskDef], 'carol', 30); // no change, no entry
        expect((await store.getTaskDef('a'))?.retryCount).toBe(4);
        const changes = await store.taskDefChanges('a', 10);
        expect(changes.map((c) => [c.changedBy, c.changedAt, c.before?.retryCount ?? null, c.after?.retryCount])).toEqual([
          ['bob', 20, 1, 4],
          ['alice', 10, null, 1],
        ]);
        expect(await store.deleteTaskDef('a', 'dave', 40)).toBe(true);
        expect(await store.getTaskDef('a')).toBeNull();
        expect((await store.taskDefChanges('a', 1))[0]?.after).toBeNull();
        expect(await store.deleteTaskDef('a', 'dave', 41)).toBe(false);
      });

      it('keeps workflow definition versions and returns the latest by default', async () => {
        const def = (v: number): WorkflowDef => ({ name: 'flow', version: v, tasks: [] }) as unknown as WorkflowDef;
        expect(await store.putWorkflowDef(def(1), false)).toBe(true);
        expect(await store.putWorkflowDef(def(2), false)).toBe(true);
        expect(await store.putWorkflowDef(def(2), false)).toBe(false);
        expect(await store.putWorkflowDef({ ...def(2), description: 'x' } as WorkflowDef, true)).toBe(true);
        expect((await store.getWorkflowDef('flow'))?.version).toBe(2);
        expect((await store.getWorkflowDef('flow'))?.description).toBe('x');
        expect((await store.getWorkflowDef('flow', 1))?.version).toBe(1);
        expect(await store.getWorkflowDef('flow', 3)).toBeNull();
        expect((await store.listWorkflowDefs()).map((d) => d.version)).toEqual([1, 2]);
        expect(await store.deleteWorkflowDef('flow', 2)).toBe(true);
        expect((await store.getWorkflowDef('flow'))?.version).toBe(1);
      });
    });

    describe('executions', () => {
      it('creates a workflow with its first tasks and reads them back in order', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1', input: { a: 1 } }), [
          taskRecord({ taskId: 't2', workflowInstanceId: 'w1', seq: 2 }),
          taskRecord({ taskId: 't1', workflowInstanceId: 'w1', seq: 1 }),
        ]);
        expect((await store.getWorkflow('w1'))?.input).toEqual({ a: 1 });
        expect((await store.getTasks('w1')).map((t) => t.taskId)).toEqual(['t1', 't2']);
        expect(await store.getWorkflow('nope')).toBeNull();
      });

      it('commits a decision only at the expected revision (invariant 7)', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), []);
        const base = { workflowId: 'w1', newTasks: [], appliedTaskIds: [], closeTasks: [], now: 5 };
        expect(await store.commitDecision({ ...base, expectedRevision: 0, workflow: { output: { n: 1 } } })).toBe(true);
        expect(await store.commitDecision({ ...base, expectedRevision: 0, workflow: { output: { n: 2 } } })).toBe(false);
        const wf = await store.getWorkflow('w1');
        expect(wf?.revision).toBe(1);
        expect(wf?.output).toEqual({ n: 1 });
      });

      it('inserts scheduled tasks idempotently: the same id twice is one row (invariant 4)', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), []);
        const t = taskRecord({ taskId: 'same', workflowInstanceId: 'w1' });
        const base = { workflowId: 'w1', appliedTaskIds: [], closeTasks: [], now: 5, workflow: {} };
        expect(await store.commitDecision({ ...base, expectedRevision: 0, newTasks: [t] })).toBe(true);
        expect(
          await store.commitDecision({
            ...base,
            expectedRevision: 1,
            newTasks: [t, taskRecord({ taskId: 'other', workflowInstanceId: 'w1' })],
          }),
        ).toBe(true);
        expect((await store.getTasks('w1')).map((x) => x.taskId).sort()).toEqual(['other', 'same']);
      });

      it('marks applied results and closes open tasks in a commit', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), [
          taskRecord({ taskId: 'done', workflowInstanceId: 'w1', status: 'COMPLETED', applied: false }),
          taskRecord({ taskId: 'open', workflowInstanceId: 'w1' }),
        ]);
        expect((await store.unappliedResults('w1')).map((t) => t.taskId)).toEqual(['done']);
        expect(await store.workflowsWithUnappliedResults(10_000, 10)).toEqual(['w1']);
        await store.commitDecision({
          workflowId: 'w1',
          expectedRevision: 0,
          workflow: { status: 'FAILED' },
          newTasks: [],
          appliedTaskIds: ['done'],
          closeTasks: [{ taskId: 'open', status: 'CANCELED', reason: 'workflow failed' }],
          now: 50,
        });
        expect(await store.unappliedResults('w1')).toEqual([]);
        expect(await store.workflowsWithUnappliedResults(10_000, 10)).toEqual([]);
        const open = await store.getTask('open');
        expect([open?.status, open?.reasonForIncompletion, open?.endTime]).toEqual(['CANCELED', 'workflow failed', 50]);
        expect(await store.claimTasks({ taskType: 'work', count: 5, workerId: 'w', now: 10_000, leaseMs: 1000, newToken })).toEqual([]);
      });

      it('finds workflows by name, status and correlation id, newest first', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'a', createTime: 1, correlationId: 'order-1' }), []);
        await store.createWorkflow(workflowRecord({ workflowId: 'b', createTime: 2, status: 'COMPLETED' }), []);
        await store.createWorkflow(workflowRecord({ workflowId: 'c', createTime: 3, workflowName: 'other' }), []);
        expect((await store.findWorkflows({ start: 0, size: 10 })).results.map((w) => w.workflowId)).toEqual(['c', 'b', 'a']);
        expect((await store.findWorkflows({ workflowName: 'wf', start: 0, size: 10 })).totalHits).toBe(2);
        expect((await store.findWorkflows({ status: ['COMPLETED'], start: 0, size: 10 })).results.map((w) => w.workflowId)).toEqual(['b']);
        expect((await store.findWorkflows({ correlationId: 'order-1', start: 0, size: 10 })).results.map((w) => w.workflowId)).toEqual([
          'a',
        ]);
        expect((await store.findWorkflows({ start: 1, size: 1 })).results.map((w) => w.workflowId)).toEqual(['b']);
      });
    });

    describe('task queue', () => {
      const seed = async (tasks: Parameters<typeof taskRecord>[0][]): Promise<void> => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), tasks.map(taskRecord));
      };

      it('claims visible tasks of one type in rank order, at most count, with a lease and token', async () => {
        await seed([
          { taskId: 'late', workflowInstanceId: 'w1', rank: 300, visibleAt: 100 },
          { taskId: 'first', workflowInstanceId: 'w1', rank: 100, visibleAt: 100 },
          { taskId: 'second', workflowInstanceId: 'w1', rank: 200, visibleAt: 100 },
          { taskId: 'future', workflowInstanceId: 'w1', rank: 0, visibleAt: 5000 },
          { taskId: 'other-type', workflowInstanceId: 'w1', taskType: 'other', rank: 0 },
        ]);
        const got = await store.claimTasks({ taskType: 'work', count: 2, workerId: 'wk', now: 1000, leaseMs: 30_000, newToken });
        expect(got.map((t) => t.taskId)).toEqual(['first', 'second']);
        for (const t of got) {
          expect([t.status, t.workerId, t.leaseUntil, t.startTime, t.pollCount]).toEqual(['IN_PROGRESS', 'wk', 31_000, 1000, 1]);
          expect(t.attemptToken).toMatch(/^tok-/);
        }
        expect((await store.getTask('first'))?.status).toBe('IN_PROGRESS');
        expect(await store.queueSizes(['work', 'other', 'none'], 1000)).toEqual({ work: 1, other: 1, none: 0 });
        expect(await store.inProgressCount('work')).toBe(2);
        expect(
          (await store.claimTasks({ taskType: 'work', count: 10, workerId: 'wk', now: 1000, leaseMs: 1, newToken })).map((t) => t.taskId),
        ).toEqual(['late']);
        expect(
          (await store.claimTasks({ taskType: 'work', count: 10, workerId: 'wk', now: 6000, leaseMs: 1, newToken })).map((t) => t.taskId),
        ).toEqual(['future']);
      });

      it('never gives one task to two concurrent claims (invariant 3)', async () => {
        await seed(Array.from({ length: 20 }, (_, i) => ({ taskId: `t${i}`, workflowInstanceId: 'w1', rank: i })));
        const claims = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            store.claimTasks({ taskType: 'work', count: 1, workerId: `w${i}`, now: 2000, leaseMs: 1000, newToken }),
          ),
        );
        const ids = claims.flat().map((t) => t.taskId);
        expect(ids).toHaveLength(20);
        expect(new Set(ids).size).toBe(20);
      });

      it('accepts the terminal report of the current attempt once and fences everything else', async () => {
        await seed([{ taskId: 't', workflowInstanceId: 'w1' }]);
        const [claimed] = await store.claimTasks({ taskType: 'work', count: 1, workerId: 'wk', now: 2000, leaseMs: 1000, newToken });
        const report = {
          taskId: 't',
          workerId: 'wk',
          status: 'COMPLETED' as const,
          outputData: { ok: 1 },
          reasonForIncompletion: null,
          logs: [],
          now: 2500,
        };
        expect((await store.completeAttempt({ ...report, attemptToken: 'wrong' })).kind).toBe('stale');
        const ok = await store.completeAttempt({ ...report, attemptToken: claimed!.attemptToken });
        expect(ok.kind).toBe('applied');
        if (ok.kind !== 'applied') throw new Error('unreachable');
        expect([ok.task.status, ok.task.outputData, ok.task.endTime, ok.task.applied]).toEqual(['COMPLETED', { ok: 1 }, 2500, false]);
        expect((await store.completeAttempt({ ...report, attemptToken: claimed!.attemptToken })).kind).toBe('duplicate');
        expect((await store.completeAttempt({ ...report, status: 'FAILED', attemptToken: claimed!.attemptToken })).kind).toBe('stale');
        expect((await store.completeAttempt({ ...report, taskId: 'missing', attemptToken: null })).kind).toBe('not_found');
        expect((await store.getTask('t'))?.outputData).toEqual({ ok: 1 });
      });

      it('fences reports without a token by the claim owner (Conductor clients)', async () => {
        await seed([{ taskId: 't', workflowInstanceId: 'w1' }]);
        await store.claimTasks({ taskType: 'work', count: 1, workerId: 'owner', now: 2000, leaseMs: 1000, newToken });
        const report = {
          taskId: 't',
          attemptToken: null,
          status: 'COMPLETED' as const,
          outputData: {},
          reasonForIncompletion: null,
          logs: [],
          now: 2100,
        };
        expect((await store.completeAttempt({ ...report, workerId: 'intruder' })).kind).toBe('stale');
        expect((await store.completeAttempt({ ...report, workerId: 'owner' })).kind).toBe('applied');
      });

      it('rejects a report on an unclaimed task', async () => {
        await seed([{ taskId: 't', workflowInstanceId: 'w1' }]);
        const r = await store.completeAttempt({
          taskId: 't',
          attemptToken: null,
          workerId: null,
          status: 'COMPLETED',
          outputData: {},
          reasonForIncompletion: null,
          logs: [],
          now: 5,
        });
        expect(r.kind).toBe('stale');
        expect((await store.getTask('t'))?.status).toBe('SCHEDULED');
      });

      it('extends a lease, or re-queues after callbackAfter, only for the claim holder', async () => {
        await seed([{ taskId: 't', workflowInstanceId: 'w1' }]);
        const [c] = await store.claimTasks({ taskType: 'work', count: 1, workerId: 'wk', now: 2000, leaseMs: 1000, newToken });
        const base = { taskId: 't', workerId: 'wk', outputData: {}, logs: [], leaseMs: 1000 };
        expect((await store.progressAttempt({ ...base, attemptToken: 'nope', callbackAfterMs: 0, now: 2500 })).kind).toBe('stale');
        const ext = await store.progressAttempt({
          ...base,
          attemptToken: c!.attemptToken,
          callbackAfterMs: 0,
          now: 2500,
          outputData: { pct: 50 },
        });
        expect(ext.kind === 'applied' && [ext.task.leaseUntil, ext.task.outputData]).toEqual([3500, { pct: 50 }]);
        const back = await store.progressAttempt({ ...base, attemptToken: c!.attemptToken, callbackAfterMs: 10_000, now: 2600 });
        expect(back.kind === 'applied' && [back.task.status, back.task.visibleAt, back.task.attemptToken]).toEqual([
          'SCHEDULED',
          12_600,
          null,
        ]);
        expect(await store.claimTasks({ taskType: 'work', count: 1, workerId: 'wk', now: 12_000, leaseMs: 1, newToken })).toEqual([]);
        const again = await store.claimTasks({ taskType: 'work', count: 1, workerId: 'wk2', now: 12_600, leaseMs: 1, newToken });
        expect(again.map((t) => [t.taskId, t.pollCount])).toEqual([['t', 2]]);
        // The first claim's token no longer fences anything.
        expect(
          (
            await store.completeAttempt({
              taskId: 't',
              attemptToken: c!.attemptToken,
              workerId: 'wk',
              status: 'COMPLETED',
              outputData: {},
              reasonForIncompletion: null,
              logs: [],
              now: 12_700,
            })
          ).kind,
        ).toBe('stale');
      });
    });

    describe('sweeps', () => {
      it('finds lapsed leases and times out an attempt only if its claim is unchanged', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), [
          taskRecord({ taskId: 'a', workflowInstanceId: 'w1' }),
          taskRecord({ taskId: 'b', workflowInstanceId: 'w1' }),
        ]);
        const claimed = await store.claimTasks({ taskType: 'work', count: 2, workerId: 'wk', now: 1000, leaseMs: 1000, newToken });
        expect(await store.expiredLeases(1999, 10)).toEqual([]);
        const expired = await store.expiredLeases(2000, 10);
        expect(expired.map((t) => t.taskId).sort()).toEqual(['a', 'b']);
        const a = claimed.find((t) => t.taskId === 'a')!;
        const out = await store.timeOutAttempt('a', { status: 'IN_PROGRESS', attemptToken: a.attemptToken }, 'lease', 2000);
        expect([out?.status, out?.applied, out?.reasonForIncompletion]).toEqual(['TIMED_OUT', false, 'lease']);
        expect(await store.timeOutAttempt('a', { status: 'IN_PROGRESS', attemptToken: a.attemptToken }, 'lease', 2001)).toBeNull();
        expect(await store.timeOutAttempt('b', { status: 'IN_PROGRESS', attemptToken: 'not-the-claim' }, 'lease', 2001)).toBeNull();
        expect((await store.expiredLeases(5000, 10)).map((t) => t.taskId)).toEqual(['b']);
        // A timed-out attempt is not a poison task until its step gives up (exhaustedTaskIds).
        expect(await store.failedTasks('work', 10)).toEqual([]);
      });

      it('finds due workflow timers and engine-held task timers', async () => {
        await store.createWorkflow(workflowRecord({ workflowId: 'w1', wakeAt: 500 }), [
          taskRecord({ taskId: 'wait', workflowInstanceId: 'w1', status: 'IN_PROGRESS', queued: false, wakeAt: 700 }),
        ]);
        await store.createWorkflow(workflowRecord({ workflowId: 'w2', wakeAt: 0 }), []);
        expect(await store.dueWorkflowTimers(499, 10)).toEqual([]);
        expect(await store.dueWorkflowTimers(500, 10)).toEqual(['w1']);
        expect((await store.dueTaskTimers(700, 10)).map((t) => t.taskId)).toEqual(['wait']);
        expect(await store.dueTaskTimers(699, 10)).toEqual([]);
      });
    });

    resiliencyContract(() => store);
    systemTasksContract(() => store);
    securityContract(() => store);
    decisionsContract(() => store);
    reactionsContract(() => store);
  });
}
