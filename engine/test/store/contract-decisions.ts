import type { WorkflowDef } from '@baton/definitions';
import type { StepState } from '../../src/domain/records';
import type { CommitDecision, Store } from '../../src/store/port';
import { taskRecord, workflowRecord } from '../helpers/records';

let tokenSeq = 0;
const newToken = (): string => `dtok-${++tokenSeq}`;

const step = (taskId: string, over: Partial<StepState> = {}): StepState => ({
  taskId,
  seq: 1,
  status: 'SCHEDULED',
  retryCount: 0,
  iteration: 0,
  taskType: 'work',
  reason: null,
  scheduledTime: 1,
  startTime: 0,
  endTime: 0,
  firstScheduledTime: 1,
  ...over,
});

const decision = (over: Partial<CommitDecision> & { expectedRevision: number }): CommitDecision => ({
  workflowId: 'w1',
  workflow: {},
  newTasks: [],
  appliedTaskIds: [],
  closeTasks: [],
  now: 5,
  ...over,
});

/**
 * Bounded decisions on every store (docs/architecture.md): a decision writes what changed, and one
 * that loses its revision fence leaves nothing a worker or a sweep could take (invariant 10).
 */
export function decisionsContract(current: () => Store): void {
  describe('bounded decisions', () => {
    it('writes the steps a decision changed and forgets the ones it unset, with the counters', async () => {
      const store = current();
      await store.createWorkflow(
        workflowRecord({
          workflowId: 'w1',
          state: { seq: 2, steps: { a: step('ta'), 'b.c$d': step('tb') }, open: 2, running: 2, rootDone: false, resume: [] },
        }),
        [],
      );
      expect(
        await store.commitDecision(
          decision({
            expectedRevision: 0,
            steps: { set: { a: step('ta', { status: 'COMPLETED', endTime: 9 }), e: step('te', { seq: 3 }) }, unset: ['b.c$d'] },
            meta: { seq: 3, open: 1, running: 1, rootDone: false, resume: ['op:e'] },
            workflow: { variables: { v: 1 } },
          }),
        ),
      ).toBe(true);
      const wf = await store.getWorkflow('w1');
      expect(Object.keys(wf?.state.steps ?? {}).sort()).toEqual(['a', 'e']);
      expect(wf?.state.steps.a?.status).toBe('COMPLETED');
      expect([wf?.state.seq, wf?.state.open, wf?.state.resume]).toEqual([3, 1, ['op:e']]);
      expect(wf?.variables).toEqual({ v: 1 });
      expect(wf?.output).toEqual({});
    });

    it('leaves nothing of a decision that lost its revision race: nothing to claim, sweep or see', async () => {
      const store = current();
      await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), []);
      const winner = taskRecord({ taskId: 'won', workflowInstanceId: 'w1', taskType: 'work' });
      const losers = [
        taskRecord({ taskId: 'lost', workflowInstanceId: 'w1', taskType: 'lost_type', deadlineAt: 10, pollDeadlineAt: 10 }),
        taskRecord({ taskId: 'lost-held', workflowInstanceId: 'w1', taskType: 'WAIT', status: 'IN_PROGRESS', queued: false, wakeAt: 10 }),
        taskRecord({ taskId: 'lost-done', workflowInstanceId: 'w1', taskType: 'lost_type', status: 'COMPLETED', applied: false }),
      ];
      expect(await store.commitDecision(decision({ expectedRevision: 0, newTasks: [winner] }))).toBe(true);
      expect(await store.commitDecision(decision({ expectedRevision: 0, newTasks: losers }))).toBe(false);
      const now = 1_000_000;
      expect(await store.claimTasks({ taskType: 'lost_type', count: 5, workerId: 'x', now, leaseMs: 1000, newToken })).toEqual([]);
      expect((await store.getTasks('w1')).map((t) => t.taskId)).toEqual(['won']);
      expect(await store.expiredDeadlines(now, 10)).toEqual([]);
      expect(await store.expiredPollDeadlines(now, 10)).toEqual([]);
      expect(await store.dueTaskTimers(now, 10)).toEqual([]);
      expect(await store.workflowsWithUnappliedResults(now, 10)).toEqual([]);
      expect((await store.queueSizes(['lost_type'], now)).lost_type).toBe(0);
      // Whatever is left of it is cleaned up (MongoDB keeps it unpublished until then).
      if (store.recoverPendingTasks) await store.recoverPendingTasks(now, 100);
      expect(await store.getTask('lost')).toBeNull();
      const won = await store.claimTasks({ taskType: 'work', count: 5, workerId: 'x', now, leaseMs: 1000, newToken });
      expect(won.map((t) => t.taskId)).toEqual(['won']);
    });

    it('answers task payloads by id, saying which are final', async () => {
      const store = current();
      await store.createWorkflow(workflowRecord({ workflowId: 'w1' }), [
        taskRecord({ taskId: 'p1', workflowInstanceId: 'w1', inputData: { a: 1 }, outputData: { b: 2 }, status: 'COMPLETED' }),
        taskRecord({ taskId: 'p2', workflowInstanceId: 'w1', inputData: { c: 3 } }),
      ]);
      const got = await store.getTaskPayloads(['p1', 'p2', 'nope']);
      expect(got.get('p1')).toMatchObject({ inputData: { a: 1 }, outputData: { b: 2 }, final: true });
      expect(got.get('p2')).toMatchObject({ inputData: { c: 3 }, outputData: {}, final: false });
      expect(got.has('nope')).toBe(false);
    });

    it('stores each definition snapshot once, by id', async () => {
      const store = current();
      const def = { name: 'snap', version: 1, tasks: [] } as unknown as WorkflowDef;
      await store.putDefinitionSnapshot('id-1', def);
      await store.putDefinitionSnapshot('id-1', { ...def, description: 'changed' } as WorkflowDef);
      expect(await store.getDefinitionSnapshot('id-1')).toEqual(def);
      expect(await store.getDefinitionSnapshot('id-2')).toBeNull();
    });
  });

  describe('retention', () => {
    const seed = async (store: Store): Promise<void> => {
      await store.createWorkflow(workflowRecord({ workflowId: 'old', status: 'COMPLETED', endTime: 100 }), [
        taskRecord({ taskId: 'old-t', workflowInstanceId: 'old', status: 'COMPLETED' }),
      ]);
      await store.createWorkflow(workflowRecord({ workflowId: 'old-failed-owing', status: 'FAILED', endTime: 100, wakeAt: 5 }), []);
      await store.createWorkflow(workflowRecord({ workflowId: 'recent', status: 'COMPLETED', endTime: 5000 }), []);
      await store.createWorkflow(workflowRecord({ workflowId: 'running' }), [
        taskRecord({ taskId: 'run-t', workflowInstanceId: 'running' }),
      ]);
    };

    it('deletes runs that ended before the cut-off, with their tasks, and nothing else', async () => {
      const store = current();
      await seed(store);
      expect(await store.purgeEndedWorkflows(1000, 10, false, 9000)).toBe(1);
      expect(await store.getWorkflow('old')).toBeNull();
      expect(await store.getTask('old-t')).toBeNull();
      expect(await store.getArchivedWorkflow('old')).toBeNull();
      for (const id of ['old-failed-owing', 'recent', 'running']) expect(await store.getWorkflow(id)).not.toBeNull();
      expect(await store.purgeEndedWorkflows(1000, 10, false, 9000)).toBe(0);
    });

    it('archives them whole when asked, and deletes archived runs past their own retention', async () => {
      const store = current();
      await seed(store);
      expect(await store.purgeEndedWorkflows(1000, 10, true, 9000)).toBe(1);
      expect(await store.getWorkflow('old')).toBeNull();
      const archived = await store.getArchivedWorkflow('old');
      expect(archived?.workflow.status).toBe('COMPLETED');
      expect(archived?.tasks.map((t) => t.taskId)).toEqual(['old-t']);
      expect(archived?.archivedAt).toBe(9000);
      expect(await store.purgeArchive(8000, 10)).toBe(0);
      expect(await store.purgeArchive(10_000, 10)).toBe(1);
      expect(await store.getArchivedWorkflow('old')).toBeNull();
    });
  });
}
