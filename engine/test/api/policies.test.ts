import { FAILURE_WORKFLOW_OUTPUT } from '../../src/decider/failure-workflow';
import { StoreUnavailableError } from '../../src/errors';
import { Engine } from '../../src/runtime/engine';
import { FlowControl } from '../../src/runtime/flow-control';
import { newAttemptToken } from '../../src/domain/ids';
import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';

/**
 * Flow control, priority, per-step overrides, failure workflows, runtime tuning and poison tasks,
 * through the REST API on a manual clock (docs/policies.md).
 */
describe.each(storeKinds())('resiliency policies (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
  });
  afterEach(async () => {
    await p.close();
  });

  const oneStep = async (
    taskDef: Record<string, unknown>,
    workflow: Record<string, unknown> = {},
    step: Record<string, unknown> = {},
  ): Promise<void> => {
    await p.taskDefs([{ name: 'job', responseTimeoutSeconds: 600, ...taskDef }]);
    await p.workflowDef({ name: 'flow', tasks: [{ name: 'job', taskReferenceName: 'job', ...step }], ...workflow });
  };

  describe('concurrentExecLimit', () => {
    it('hands out at most the limit, and the next one when a slot frees', async () => {
      await oneStep({ concurrentExecLimit: 2 });
      for (let i = 0; i < 5; i++) await p.start('flow');
      const first = await p.poll('job', 10);
      expect(first).toHaveLength(2);
      expect(await p.poll('job', 10)).toEqual([]);
      expect(await p.metric('baton_claims_throttled_total', 'limit="concurrentExecLimit"')).toBeGreaterThan(0);
      await p.report(first[0], 'COMPLETED');
      expect(await p.poll('job', 10)).toHaveLength(1);
      expect(await p.poll('job', 10)).toEqual([]);
    });

    it('holds across engines claiming at the same moment: the losers give their claims back', async () => {
      await oneStep({ concurrentExecLimit: 3 });
      for (let i = 0; i < 20; i++) await p.start('flow');
      const def = p.engine.taskDefs.get('job');
      // Ten engines' flow control (each with its own in-process serialisation) on one store.
      const engines = Array.from({ length: 10 }, () => new FlowControl(p.engine.store));
      const outs = await Promise.all(
        engines.map((f, i) =>
          f.claim(def, { taskType: 'job', count: 3, workerId: `e${i}`, now: p.clock.now(), leaseMs: 60_000, newToken: newAttemptToken }),
        ),
      );
      const handedOut = outs.flatMap((o) => o.tasks);
      expect(handedOut.length).toBeLessThanOrEqual(3);
      expect(await p.engine.store.inProgressCount('job')).toBe(handedOut.length);
      // Given-back claims are intact and claimable again; the limit still holds for the next poll.
      expect((await p.engine.queueSizes(['job'])).job).toBe(20 - handedOut.length);
      expect(await p.poll('job', 10)).toHaveLength(3 - handedOut.length);
    });
  });

  describe('rate limit (rateLimitPerFrequency per rateLimitFrequencyInSeconds)', () => {
    it('claims at most N per window, across polls, and gives unused tokens back', async () => {
      await oneStep({ rateLimitPerFrequency: 5, rateLimitFrequencyInSeconds: 2 });
      p.clock.set(1_700_000_000_000); // a window boundary
      for (let i = 0; i < 2; i++) await p.start('flow');
      expect(await p.poll('job', 10)).toHaveLength(2); // 2 of 5 used; 8 unused tokens returned
      for (let i = 0; i < 10; i++) await p.start('flow');
      expect(await p.poll('job', 10)).toHaveLength(3);
      expect(await p.poll('job', 10)).toEqual([]);
      p.clock.advance(1999);
      expect(await p.poll('job', 10)).toEqual([]);
      p.clock.advance(1);
      expect(await p.poll('job', 10)).toHaveLength(5);
      expect(await p.metric('baton_claims_throttled_total', 'limit="rateLimitPerFrequency"')).toBeGreaterThan(0);
    });
  });

  describe('workflow priority (0-99, higher first, without starving the low)', () => {
    it('claims a higher-priority workflow first among tasks that became visible together', async () => {
      await oneStep({});
      const low = await p.start('flow', {}, 0);
      const mid = await p.start('flow', {}, 50);
      const high = await p.start('flow', {}, 99);
      const order = [];
      for (let i = 0; i < 3; i++) order.push((await p.pollOne('job')).workflowInstanceId);
      expect(order).toEqual([high, mid, low]);
    });

    it('lets a low-priority task that has waited longer than the bonus go before new high-priority work', async () => {
      await oneStep({});
      const low = await p.start('flow', {}, 0);
      p.clock.advance(10_001); // priority 10 is worth 10 s of waiting
      const high = await p.start('flow', {}, 10);
      expect((await p.pollOne('job')).workflowInstanceId).toBe(low);
      expect((await p.pollOne('job')).workflowInstanceId).toBe(high);
    });
  });

  describe('per-step overrides in the workflow definition', () => {
    it('retryCount on the step wins over the task definition', async () => {
      await oneStep({ retryCount: 5, retryDelaySeconds: 0 }, {}, { retryCount: 1 });
      const id = await p.start('flow');
      await p.report(await p.pollOne('job'), 'FAILED');
      await p.report(await p.pollOne('job'), 'FAILED');
      expect((await p.workflow(id)).status).toBe('FAILED');
    });

    it('an optional step that gives up lets the workflow go on, marked COMPLETED_WITH_ERRORS', async () => {
      await p.taskDefs([{ name: 'job', retryCount: 0 }, { name: 'next' }]);
      await p.workflowDef({
        name: 'flow',
        tasks: [
          { name: 'job', taskReferenceName: 'job', optional: true },
          { name: 'next', taskReferenceName: 'next' },
        ],
      });
      const id = await p.start('flow');
      await p.report(await p.pollOne('job'), 'FAILED', { reasonForIncompletion: 'nice to have' });
      await p.report(await p.pollOne('next'), 'COMPLETED');
      const wf = await p.workflow(id);
      expect(wf.status).toBe('COMPLETED');
      expect(wf.tasks.map((t: any) => [t.referenceTaskName, t.status])).toEqual([
        ['job', 'FAILED'],
        ['next', 'COMPLETED'],
      ]);
    });
  });

  describe('failureWorkflow', () => {
    const setup = async (): Promise<void> => {
      await p.taskDefs([{ name: 'charge', retryCount: 0 }, { name: 'refund' }]);
      await p.workflowDef({
        name: 'compensate',
        inputParameters: ['workflowId', 'reason'],
        tasks: [
          { name: 'refund', taskReferenceName: 'refund', inputParameters: { order: '${workflow.input.failedWorkflow.input.order}' } },
        ],
      });
      await p.workflowDef({ name: 'order', failureWorkflow: 'compensate', tasks: [{ name: 'charge', taskReferenceName: 'charge' }] });
    };

    it('starts the named workflow with Conductor inputs and records its id on the failed one', async () => {
      await setup();
      const id = await p.s
        .req('POST', '/api/workflow', { name: 'order', input: { order: 'A-1' }, correlationId: 'c-1' })
        .then((r) => r.text);
      const charge = await p.pollOne('charge');
      await p.report(charge, 'FAILED', { reasonForIncompletion: 'card declined' });
      const failed = await p.workflow(id);
      const compId = failed.output[FAILURE_WORKFLOW_OUTPUT];
      expect([failed.status, typeof compId]).toEqual(['FAILED', 'string']);
      const comp = await p.workflow(compId);
      expect(comp.workflowName).toBe('compensate');
      expect(comp.correlationId).toBe('c-1');
      expect(comp.input).toMatchObject({
        workflowId: id,
        reason: 'card declined',
        failureStatus: 'FAILED',
        failureTaskId: charge.taskId,
        failedWorkflow: {
          workflowId: id,
          workflowName: 'order',
          status: 'FAILED',
          input: { order: 'A-1' },
          failedReferenceTaskNames: ['charge'],
        },
      });
      expect((await p.pollOne('refund')).inputData).toEqual({ order: 'A-1' });
      // Nothing is left to do for the sweeper: the mark is cleared.
      expect(failed.tasks).toHaveLength(1);
      expect(await p.tick(1000)).toBe(0);
    });

    it('starts exactly once even when the start fails after the failure was recorded', async () => {
      await setup();
      const id = await p.start('order', { order: 'B-2' });
      const store = p.engine.store;
      const create = jest.spyOn(store, 'createWorkflow').mockRejectedValueOnce(new StoreUnavailableError('primary stepped down'));
      await p.report(await p.pollOne('charge'), 'FAILED', { reasonForIncompletion: 'declined' });
      create.mockRestore();
      const failed = await p.workflow(id);
      const compId = failed.output[FAILURE_WORKFLOW_OUTPUT];
      expect((await p.s.req('GET', `/api/workflow/${compId}`)).status).toBe(404);
      // The durable mark makes the sweeper start it, once, however often it looks.
      expect(await p.tick(100)).toBeGreaterThan(0);
      await p.tick(100);
      await p.tick(100);
      expect((await p.workflow(compId)).status).toBe('RUNNING');
      const comps = await p.s.req('GET', '/api/workflow/search?workflowName=compensate');
      expect(comps.body.totalHits).toBe(1);
      // A repeated start of the same failure (an engine that crashed before clearing the mark) is a no-op.
      const again = await p.engine.startWorkflow({ name: 'compensate', workflowId: compId, input: { workflowId: id, reason: 'again' } });
      expect(again).toBe(compId);
      expect((await p.s.req('GET', '/api/workflow/search?workflowName=compensate')).body.totalHits).toBe(1);
      expect((await p.workflow(compId)).input.reason).toBe('declined');
    });

    it('also runs for a workflow that TIMED_OUT, and not for one that was terminated', async () => {
      await setup();
      await p.workflowDef({
        name: 'order',
        failureWorkflow: 'compensate',
        timeoutSeconds: 10,
        timeoutPolicy: 'TIME_OUT_WF',
        tasks: [{ name: 'charge', taskReferenceName: 'charge' }],
      });
      const timedOut = await p.start('order', { order: 'T' });
      await p.tick(10_000);
      const wf = await p.workflow(timedOut);
      expect(wf.status).toBe('TIMED_OUT');
      expect((await p.workflow(wf.output[FAILURE_WORKFLOW_OUTPUT])).input.failureStatus).toBe('TIMED_OUT');
      const terminated = await p.start('order', { order: 'X' });
      await p.s.req('DELETE', `/api/workflow/${terminated}`);
      expect((await p.workflow(terminated)).output[FAILURE_WORKFLOW_OUTPUT]).toBeUndefined();
      expect((await p.s.req('GET', '/api/workflow/search?workflowName=compensate')).body.totalHits).toBe(1);
    });
  });

  describe('runtime tuning', () => {
    it('a changed retryCount and retryDelaySeconds apply to the next attempt of a running workflow', async () => {
      await oneStep({ retryCount: 1, retryDelaySeconds: 60 });
      const id = await p.start('flow');
      await p.report(await p.pollOne('job'), 'FAILED', { reasonForIncompletion: 'one' });
      expect((await p.tasksOf(id, 'job'))[1].visibleAt - p.clock.now()).toBe(60_000);

      // An operator raises the retries and shortens the delay while attempt 1 waits.
      const put = await p.s.req(
        'PUT',
        '/api/metadata/taskdefs',
        { name: 'job', responseTimeoutSeconds: 600, retryCount: 3, retryDelaySeconds: 2 },
        { 'x-baton-user': 'ops-alice' },
      );
      expect(put.status).toBe(200);
      await p.tick(60_000);
      await p.report(await p.pollOne('job'), 'FAILED', { reasonForIncompletion: 'two' });
      const attempts = await p.tasksOf(id, 'job');
      expect(attempts.map((t) => [t.retryCount, t.status])).toEqual([
        [0, 'FAILED'],
        [1, 'FAILED'],
        [2, 'SCHEDULED'],
      ]);
      expect(attempts[2].visibleAt - p.clock.now()).toBe(2000);
      const changes = (await p.s.req('GET', '/api/metadata/taskdefs/job/changes')).body;
      expect(changes[0]).toMatchObject({
        changedBy: 'ops-alice',
        before: { retryCount: 1, retryDelaySeconds: 60 },
        after: { retryCount: 3, retryDelaySeconds: 2 },
      });
      expect(typeof changes[0].changedAt).toBe('number');
    });

    it('a changed timeoutSeconds applies from the next claim', async () => {
      await oneStep({ retryCount: 1, retryDelaySeconds: 0, timeoutSeconds: 0, timeoutPolicy: 'RETRY' });
      const id = await p.start('flow');
      await p.report(await p.pollOne('job'), 'FAILED');
      await p.s.req('PUT', '/api/metadata/taskdefs', {
        name: 'job',
        responseTimeoutSeconds: 20,
        retryCount: 1,
        retryDelaySeconds: 0,
        timeoutSeconds: 20,
        timeoutPolicy: 'RETRY',
      });
      const second = await p.pollOne('job');
      expect(second.timeoutAt).toBe(p.clock.now() + 20_000);
      await p.tick(20_000);
      expect((await p.tasksOf(id, 'job'))[1].timedOutBy).toBe('timeoutSeconds');
    });

    it('another engine on the same store sees a change within its refresh interval (2 s)', async () => {
      await oneStep({ retryCount: 1 });
      const other = new Engine(p.engine.store, p.clock, p.s.running.log);
      await other.init();
      try {
        await p.s.req('PUT', '/api/metadata/taskdefs', { name: 'job', retryCount: 7 });
        await other.taskDefs.fresh(p.clock.now() + 1999);
        expect(other.taskDefs.get('job')?.retryCount).toBe(1);
        await other.taskDefs.fresh(p.clock.now() + 2000);
        expect(other.taskDefs.get('job')?.retryCount).toBe(7);
      } finally {
        // Its script threads would otherwise keep jest from exiting (npm test never ended).
        await other.close();
      }
    });
  });

  describe('poison tasks', () => {
    const failThrice = async (): Promise<string[]> => {
      await p.taskDefs([{ name: 'pay', retryCount: 1, retryDelaySeconds: 0 }, { name: 'ship' }]);
      await p.workflowDef({
        name: 'order',
        tasks: [
          { name: 'pay', taskReferenceName: 'pay' },
          { name: 'ship', taskReferenceName: 'ship' },
        ],
      });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = await p.start('order');
        ids.push(id);
        p.clock.advance(1000);
        await p.report(await p.pollOne('pay'), 'FAILED', { reasonForIncompletion: `bug ${i} (try 1)` });
        await p.report(await p.pollOne('pay'), i === 2 ? 'FAILED_WITH_TERMINAL_ERROR' : 'FAILED', {
          reasonForIncompletion: `bug ${i} (try 2)`,
        });
      }
      return ids;
    };

    it('lists exhausted and terminal failures with reasons, newest first, and counts them by type', async () => {
      const ids = await failThrice();
      const r = await p.s.req('GET', '/api/tasks/failed?taskType=pay&limit=10');
      expect(r.status).toBe(200);
      expect(r.body.map((t: any) => [t.workflowInstanceId, t.retryCount, t.status, t.reasonForIncompletion, t.exhausted])).toEqual([
        [ids[2], 1, 'FAILED_WITH_TERMINAL_ERROR', 'bug 2 (try 2)', true],
        [ids[1], 1, 'FAILED', 'bug 1 (try 2)', true],
        [ids[0], 1, 'FAILED', 'bug 0 (try 2)', true],
      ]);
      expect((await p.s.req('GET', '/api/tasks/failed?limit=1')).body).toHaveLength(1);
      expect((await p.s.req('GET', '/api/tasks/failed?taskType=ship')).body).toEqual([]);
      expect((await p.s.req('GET', '/api/tasks/failed?limit=0')).status).toBe(400);
      expect(await p.metric('baton_tasks_exhausted_total', 'taskType="pay"')).toBe(3);
    });

    it('bulk retry re-opens the failed step of each FAILED workflow, which then runs to the end', async () => {
      const ids = await failThrice();
      const r = await p.s.req('POST', '/api/tasks/failed/retry', { taskType: 'pay', workflowIds: [ids[0], ids[2], 'nope'] });
      expect(r.status).toBe(200);
      expect(r.body.retried).toEqual([ids[0], ids[2]]);
      expect(r.body.skipped).toEqual([{ workflowId: 'nope', reason: 'not found' }]);
      expect((await p.workflow(ids[1]!)).status).toBe('FAILED');
      for (const id of [ids[0]!, ids[2]!]) {
        const wf = await p.workflow(id);
        expect([wf.status, wf.lastRetriedTime]).toEqual(['RUNNING', p.clock.now()]);
        expect(wf.tasks.map((t: any) => [t.retryCount, t.status])).toEqual([
          [0, 'FAILED'],
          [1, expect.stringMatching(/FAILED/)],
          [2, 'SCHEDULED'],
        ]);
      }
      for (let i = 0; i < 2; i++) await p.report(await p.pollOne('pay'), 'COMPLETED');
      for (let i = 0; i < 2; i++) await p.report(await p.pollOne('ship'), 'COMPLETED');
      expect((await p.workflow(ids[0]!)).status).toBe('COMPLETED');
      expect((await p.workflow(ids[2]!)).status).toBe('COMPLETED');
      // Without workflowIds: every workflow that gave up on the type; the others are skipped.
      const rest = await p.s.req('POST', '/api/tasks/failed/retry', { taskType: 'pay' });
      expect(rest.body.retried).toEqual([ids[1]]);
      expect(rest.body.skipped.map((s: any) => s.reason).sort()).toEqual(['is COMPLETED', 'is COMPLETED']);
      expect((await p.s.req('POST', '/api/tasks/failed/retry', {})).status).toBe(400);
    });

    it('POST /api/workflow/{id}/retry re-opens one workflow; it refuses running ones', async () => {
      const [id] = await failThrice();
      expect((await p.s.req('POST', `/api/workflow/${id}/retry`)).status).toBe(204);
      const again = await p.s.req('POST', `/api/workflow/${id}/retry`);
      expect([again.status, again.body.code]).toEqual([409, 'CONFLICT']);
      expect((await p.s.req('POST', '/api/workflow/nope/retry')).status).toBe(404);
      const t = await p.pollOne('pay');
      expect([t.workflowInstanceId, t.retryCount]).toEqual([id, 2]);
    });
  });
});
