import { ManualClock } from '../../src/runtime/clock';
import { startTestServer, storeKinds, uniqueDbName, type TestServer } from '../helpers/server';
import { until } from './until';

/**
 * Two engines on one MongoDB, racing on the same events, signals and flow-control keys: each event
 * acts once, each signal is taken by one step in order, a key never has more runs in than its limit.
 */
if (storeKinds().includes('mongodb')) {
  describe('reactions on two engines sharing one MongoDB', () => {
    let a: TestServer;
    let b: TestServer;
    const clock = new ManualClock();
    beforeAll(async () => {
      const env = { BATON_MONGODB_DB: uniqueDbName('baton_reactions2'), BATON_SWEEP_INTERVAL_MS: '60000' };
      a = await startTestServer('mongodb', { clock, env });
      b = await startTestServer('mongodb', { clock, env });
      await a.req('POST', '/api/metadata/taskdefs', [{ name: 'work' }]);
      await a.req('PUT', '/api/metadata/workflow', [
        { name: 'started', version: 1, tasks: [{ name: 'noop', taskReferenceName: 'noop', type: 'NOOP' }] },
        { name: 'gate', version: 1, tasks: [{ name: 'g', taskReferenceName: 'g', type: 'WAIT' }] },
        {
          name: 'three_signals',
          version: 1,
          tasks: ['s1', 's2', 's3'].map((r) => ({
            name: r,
            taskReferenceName: r,
            type: 'WAIT_FOR_SIGNAL',
            inputParameters: { signal: 'go' },
          })),
          outputParameters: { order: ['${s1.output.seq}', '${s2.output.seq}', '${s3.output.seq}'] },
        },
        {
          name: 'limited',
          version: 1,
          tasks: [{ name: 'work', taskReferenceName: 'work', inputParameters: { n: '${workflow.input.n}' } }],
          flowControl: { concurrency: [{ key: 'one', limit: 1 }] },
        },
      ]);
    }, 60_000);
    afterAll(async () => {
      await a.close();
      await b.close();
    });

    jest.setTimeout(120_000);

    it('an event processed by both engines at once starts one run and completes one task', async () => {
      const gate = (await a.req('POST', '/api/workflow/gate', {})).text;
      await a.req('POST', '/api/event', {
        name: 'both',
        event: 'conductor:race',
        actions: [
          { action: 'start_workflow', start_workflow: { name: 'started' } },
          { action: 'complete_task', complete_task: { workflowId: '${gate}', taskRefName: 'g', output: { by: 'event' } } },
        ],
      });
      // Stored as if its publisher stopped at once: PENDING, lease lapsed; both sweepers find it.
      const now = clock.now();
      await a.engine.store.insertEvent({
        eventId: 'race-1',
        name: 'race',
        data: { gate },
        publishedAt: now,
        source: 'api',
        status: 'PENDING',
        leaseUntil: now,
        processedAt: 0,
      });
      const event = (await a.engine.store.getEvent('race-1'))!;
      await Promise.all([
        a.engine.reactions.events.process(event),
        b.engine.reactions.events.process(event),
        a.running.sweeper.sweep(),
        b.running.sweeper.sweep(),
      ]);
      const view = (await a.req('GET', '/api/events/race-1')).body;
      expect(view.status).toBe('PROCESSED');
      expect(view.effects.map((e: any) => [e.key, e.status])).toEqual([
        ['both#0', 'DONE'],
        ['both#1', 'DONE'],
      ]);
      expect((await a.req('GET', '/api/workflow/search?query=workflowType%20IN%20(started)')).body.totalHits).toBe(1);
      const tasks = (await a.req('GET', `/api/workflow/${gate}`)).body.tasks;
      expect(tasks.filter((t: any) => t.referenceTaskName === 'g')).toEqual([
        expect.objectContaining({ status: 'COMPLETED', outputData: { by: 'event' } }),
      ]);
    });

    it('signals sent through both engines at once are each taken by one step, in the order they were stored', async () => {
      const id = (await a.req('POST', '/api/workflow/three_signals', {})).text;
      await until(
        () => a.engine.store.signalWaits(id, 'go'),
        (w) => w.length === 1,
      );
      const sent = await Promise.all([1, 2, 3].map((n) => (n % 2 ? a : b).req('POST', `/api/workflow/${id}/signal/go`, { n })));
      expect(sent.map((r) => r.status)).toEqual([202, 202, 202]);
      const wf = await until(
        async () => (await b.req('GET', `/api/workflow/${id}`)).body,
        (w) => w.status === 'COMPLETED',
      );
      expect(wf.output.order).toEqual([1, 2, 3]);
      const inbox = (await a.req('GET', `/api/workflow/${id}/signals`)).body;
      expect(new Set(inbox.map((s: any) => s.takenBy)).size).toBe(3);
    });

    it('runs of one key started through both engines go in one at a time', async () => {
      const ids = await Promise.all(Array.from({ length: 8 }, (_, n) => (n % 2 ? a : b).req('POST', '/api/workflow/limited', { n })));
      const key = 'limited/concurrency0/one';
      let most = 0;
      for (let done = 0; done < 8; done++) {
        const server = done % 2 ? a : b;
        const [t] = await until(
          async () => (await server.req('GET', '/api/tasks/poll/batch/work?count=5&timeout=0')).body as any[],
          (ts) => ts.length > 0,
        );
        most = Math.max(most, (await a.engine.store.flowHolders(key)).length);
        expect(
          (
            await server.req('POST', '/api/tasks', {
              taskId: t.taskId,
              workerId: t.workerId,
              attemptToken: t.attemptToken,
              status: 'COMPLETED',
            })
          ).status,
        ).toBe(200);
      }
      expect(most).toBe(1);
      for (const r of ids)
        expect(
          (
            await until(
              async () => (await a.req('GET', `/api/workflow/${r.text}`)).body,
              (w) => w.status === 'COMPLETED',
            )
          ).status,
        ).toBe('COMPLETED');
    });
  });
}
