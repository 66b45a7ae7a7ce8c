import type { ApiKeyRecord } from '../../src/domain/roles';
import type { Store } from '../../src/store/port';
import type { TaskRecord } from '../../src/domain/records';
import { taskRecord, workflowRecord } from '../helpers/records';

/**
 * API keys, the shared token signing secret, and the re-queue of an engine-run attempt whose
 * engine stopped. Part of the contract suite, run against every adapter.
 */
export function securityContract(current: () => Store): void {
  const key = (keyId: string, over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
    keyId,
    secretHash: 'a'.repeat(64),
    role: 'worker',
    taskTypes: ['charge_*'],
    description: 'payments',
    createdAt: 1000,
    createdBy: 'root',
    updatedAt: 1000,
    secretVersion: 'v1',
    ...over,
  });

  describe('API keys', () => {
    it('creates a key once, reads it back whole, lists keys by id, replaces and deletes existing keys only', async () => {
      const store = current();
      expect(await store.createApiKey(key('k2'))).toBe(true);
      expect(await store.createApiKey(key('k1', { role: 'viewer', taskTypes: [] }))).toBe(true);
      expect(await store.createApiKey(key('k2', { role: 'admin' }))).toBe(false);
      expect(await store.getApiKey('k2')).toEqual(key('k2'));
      expect(await store.getApiKey('nope')).toBeNull();
      expect((await store.listApiKeys()).map((k) => [k.keyId, k.role])).toEqual([
        ['k1', 'viewer'],
        ['k2', 'worker'],
      ]);
      expect(await store.updateApiKey(key('k2', { secretHash: 'b'.repeat(64), secretVersion: 'v2', updatedAt: 2000 }))).toBe(true);
      expect(await store.getApiKey('k2')).toMatchObject({
        secretHash: 'b'.repeat(64),
        secretVersion: 'v2',
        createdAt: 1000,
        updatedAt: 2000,
      });
      expect(await store.updateApiKey(key('ghost'))).toBe(false);
      expect(await store.getApiKey('ghost')).toBeNull();
      expect(await store.deleteApiKey('k2')).toBe(true);
      expect(await store.deleteApiKey('k2')).toBe(false);
      expect((await store.listApiKeys()).map((k) => k.keyId)).toEqual(['k1']);
    });

    it('keeps the first token signing secret: later candidates, even concurrent ones, read it back', async () => {
      const store = current();
      const answers = await Promise.all(['s-a', 's-b', 's-c', 's-d'].map((c) => store.tokenSigningSecret(c)));
      expect(new Set(answers).size).toBe(1);
      expect(['s-a', 's-b', 's-c', 's-d']).toContain(answers[0]);
      expect(await store.tokenSigningSecret('later')).toBe(answers[0]);
    });
  });

  describe('engine-run attempts whose engine stopped', () => {
    const claimed = (over: Partial<TaskRecord> = {}) =>
      taskRecord({
        taskId: 'h1',
        workflowInstanceId: 'wq',
        taskType: 'HTTP',
        workflowTaskType: 'HTTP',
        status: 'IN_PROGRESS',
        attemptToken: 'tok',
        workerId: 'baton-http-1',
        leaseUntil: 5000,
        pollCount: 1,
        startTime: 1000,
        timeoutAt: 9000,
        deadlineAt: 9000,
        workflowPriority: 3,
        ...over,
      });

    it('puts a lapsed claim back in its queue, visible now, keeping its clocks and its run count, fenced on the lease', async () => {
      const store = current();
      await store.createWorkflow(workflowRecord({ workflowId: 'wq' }), [claimed()]);
      expect(
        await store.requeueLapsedClaim(
          { taskId: 'h1', workflowPriority: 3 },
          { status: 'IN_PROGRESS', attemptToken: 'tok', leaseUntil: 4000 },
          6000,
        ),
      ).toBeNull();
      expect(
        await store.requeueLapsedClaim(
          { taskId: 'h1', workflowPriority: 3 },
          { status: 'IN_PROGRESS', attemptToken: 'other', leaseUntil: 5000 },
          6000,
        ),
      ).toBeNull();
      const back = await store.requeueLapsedClaim(
        { taskId: 'h1', workflowPriority: 3 },
        { status: 'IN_PROGRESS', attemptToken: 'tok', leaseUntil: 5000 },
        6000,
      );
      expect(back).toMatchObject({
        status: 'SCHEDULED',
        attemptToken: null,
        workerId: null,
        leaseUntil: 0,
        visibleAt: 6000,
        pollCount: 1,
        startTime: 1000,
        timeoutAt: 9000,
        deadlineAt: 9000,
      });
      expect(
        await store.requeueLapsedClaim(
          { taskId: 'h1', workflowPriority: 3 },
          { status: 'IN_PROGRESS', attemptToken: 'tok', leaseUntil: 5000 },
          6001,
        ),
      ).toBeNull();
      expect(await store.expiredLeases(10_000, 10)).toEqual([]);
      // Back in the queue: the next claim takes it, with priority ranking as any scheduled attempt.
      const [again] = await store.claimTasks({
        taskType: 'HTTP',
        count: 1,
        workerId: 'baton-http-2',
        now: 6000,
        leaseMs: 1000,
        newToken: () => 'tok2',
      });
      expect(again).toMatchObject({ taskId: 'h1', attemptToken: 'tok2', pollCount: 2, status: 'IN_PROGRESS', timeoutAt: 9000 });
    });
  });
}
