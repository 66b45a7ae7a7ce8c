import type { Store } from '../../src/store/port';
import { taskRecord, workflowRecord } from '../helpers/records';

/**
 * Engine-held tasks (WAIT, HUMAN, SUB_WORKFLOW): their fenced completion and timer moves, and
 * their completion by a token-less report. Part of the contract suite, run against every adapter.
 */
export function systemTasksContract(current: () => Store): void {
  describe('engine-held tasks', () => {
    const held = (taskId: string, workflowTaskType: string, wakeAt = 0) =>
      taskRecord({
        taskId,
        workflowInstanceId: 'wh',
        workflowTaskType,
        taskType: workflowTaskType,
        status: 'IN_PROGRESS',
        queued: false,
        wakeAt,
        startTime: 1000,
      });
    const seed = (...tasks: ReturnType<typeof taskRecord>[]) => current().createWorkflow(workflowRecord({ workflowId: 'wh' }), tasks);
    const result = { status: 'COMPLETED' as const, outputData: { done: 1 }, reasonForIncompletion: null };

    it('completes an engine-held task once, fenced on its timer; the result is left to be applied', async () => {
      const store = current();
      await seed(held('wait', 'WAIT', 5000));
      expect(await store.dueTaskTimers(4999, 10)).toEqual([]);
      expect((await store.dueTaskTimers(5000, 10)).map((t) => t.taskId)).toEqual(['wait']);
      expect(await store.completeEngineTask('wait', { wakeAt: 4000 }, result, 5000)).toBeNull();
      const done = await store.completeEngineTask('wait', { wakeAt: 5000 }, result, 5000);
      expect(done).toMatchObject({ status: 'COMPLETED', outputData: { done: 1 }, wakeAt: 0, applied: false, endTime: 5000 });
      expect(await store.completeEngineTask('wait', {}, result, 5001)).toBeNull();
      expect(await store.dueTaskTimers(10_000, 10)).toEqual([]);
      expect(await store.workflowsWithUnappliedResults(6000, 10)).toEqual(['wh']);
    });

    it('never completes a queued task or an open one of another kind through completeEngineTask', async () => {
      const store = current();
      await seed(taskRecord({ taskId: 'q', workflowInstanceId: 'wh', status: 'IN_PROGRESS', attemptToken: 't', leaseUntil: 9999 }));
      expect(await store.completeEngineTask('q', {}, result, 2000)).toBeNull();
      expect((await store.getTask('q'))?.status).toBe('IN_PROGRESS');
    });

    it('moves the timer of an open engine-held task only if it is still where the caller saw it', async () => {
      const store = current();
      await seed(held('sub', 'SUB_WORKFLOW', 5000));
      expect(await store.rescheduleEngineTask('sub', { wakeAt: 1 }, 9000, 5000)).toBe(false);
      expect(await store.rescheduleEngineTask('sub', { wakeAt: 5000 }, 9000, 5000)).toBe(true);
      expect((await store.getTask('sub'))?.wakeAt).toBe(9000);
      expect(await store.dueTaskTimers(8999, 10)).toEqual([]);
    });

    it('accepts a token-less terminal report on WAIT and HUMAN only, never a progress report', async () => {
      const store = current();
      await seed(held('human', 'HUMAN'), held('join', 'JOIN'), held('wait', 'WAIT', 5000));
      const report = (taskId: string, attemptToken: string | null = null) =>
        store.completeAttempt({
          taskId,
          attemptToken,
          workerId: null,
          status: 'COMPLETED',
          outputData: { ok: true },
          reasonForIncompletion: null,
          logs: [],
          now: 3000,
        });
      expect((await report('join')).kind).toBe('stale');
      expect((await report('human', 'forged')).kind).toBe('stale');
      const progress = await store.progressAttempt({
        taskId: 'human',
        attemptToken: null,
        workerId: null,
        outputData: {},
        logs: [],
        callbackAfterMs: 0,
        leaseMs: 1000,
        now: 3000,
      });
      expect(progress.kind).toBe('stale');
      expect((await store.getTask('human'))?.leaseUntil).toBe(0);
      expect(await report('human')).toMatchObject({ kind: 'applied', task: { status: 'COMPLETED', outputData: { ok: true } } });
      expect((await report('human')).kind).toBe('duplicate');
      expect(await report('wait')).toMatchObject({ kind: 'applied', task: { wakeAt: 0 } });
      expect(await store.dueTaskTimers(10_000, 10)).toEqual([]);
    });
  });
}
