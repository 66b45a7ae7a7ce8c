import type { EventEffect, EventRecord, ScheduleRecord } from '../../src/domain/reactions';
import type { Store } from '../../src/store/port';
import { workflowRecord } from '../helpers/records';

const event = (eventId: string, name: string, publishedAt: number, extra: Partial<EventRecord> = {}): EventRecord => ({
  eventId,
  name,
  data: { n: publishedAt, 'a.b': 1, $x: true },
  publishedAt,
  source: 'api',
  status: 'PENDING',
  leaseUntil: publishedAt + 1000,
  processedAt: 0,
  ...extra,
});

const effect = (eventId: string, key: string, extra: Partial<EventEffect> = {}): EventEffect => ({
  eventId,
  key,
  kind: 'action',
  handler: 'h',
  action: 'start_workflow',
  status: 'PENDING',
  workflowId: null,
  taskId: null,
  error: null,
  at: 1,
  ...extra,
});

/**
 * Events, signals, schedules and flow control (store/reactions-port.ts): the atomic steps that make
 * each event, signal and due time act once, and keep flow-control queues in order. Part of the
 * contract suite, run against every adapter.
 */
export function reactionsContract(current: () => Store): void {
  describe('events', () => {
    it('stores an event once by id, lists newest first, and answers events of a name since a time, oldest first', async () => {
      const s = current();
      expect(await s.insertEvent(event('e1', 'orders', 100))).toBe(true);
      expect(await s.insertEvent(event('e1', 'orders', 999, { data: 'other' }))).toBe(false);
      await s.insertEvent(event('e2', 'orders', 200));
      await s.insertEvent(event('e3', 'payments', 300));
      expect((await s.getEvent('e1'))?.data).toEqual({ n: 100, 'a.b': 1, $x: true });
      expect((await s.listEvents('orders', 10)).map((e) => e.eventId)).toEqual(['e2', 'e1']);
      expect((await s.listEvents(null, 2)).map((e) => e.eventId)).toEqual(['e3', 'e2']);
      expect((await s.eventsSince('orders', 150, 10)).map((e) => e.eventId)).toEqual(['e2']);
      expect((await s.eventsSince('orders', 0, 10)).map((e) => e.eventId)).toEqual(['e1', 'e2']);
    });

    it('leases a pending event to one taker, and a processed event is no longer due', async () => {
      const s = current();
      await s.insertEvent(event('e1', 'orders', 100, { leaseUntil: 500 }));
      expect(await s.dueEvents(499, 10)).toEqual([]);
      expect((await s.dueEvents(500, 10)).map((e) => e.eventId)).toEqual(['e1']);
      expect(await s.leaseEvent('e1', 500, 2000)).toBe(true);
      expect(await s.leaseEvent('e1', 500, 3000)).toBe(false);
      expect(await s.dueEvents(1999, 10)).toEqual([]);
      await s.finishEvent('e1', 2100);
      expect(await s.dueEvents(10_000, 10)).toEqual([]);
      expect(await s.getEvent('e1')).toMatchObject({ status: 'PROCESSED', processedAt: 2100 });
      expect(await s.leaseEvent('e1', 0, 9000)).toBe(false);
    });

    it('keeps the first intent of an effect (ifAbsent) and replaces it with the outcome', async () => {
      const s = current();
      const first = await s.putEventEffect(effect('e1', 'h#0', { taskId: 't-1' }), true);
      expect(first.taskId).toBe('t-1');
      expect((await s.putEventEffect(effect('e1', 'h#0', { taskId: 't-2' }), true)).taskId).toBe('t-1');
      await s.putEventEffect(effect('e1', 'h#0', { taskId: 't-1', status: 'DONE' }), false);
      await s.putEventEffect(effect('e2', 'h#0', { status: 'SKIPPED' }), false);
      expect((await s.eventEffects(['e1'])).map((e) => [e.key, e.status, e.taskId])).toEqual([['h#0', 'DONE', 't-1']]);
      expect(await s.eventEffects(['e1', 'e2'])).toHaveLength(2);
    });

    it('adds event handlers once, updates only existing ones, lists them by event', async () => {
      const s = current();
      const h = {
        name: 'h1',
        event: 'conductor:orders',
        actions: [{ action: 'start_workflow' as const, start_workflow: { name: 'w' } }],
        active: true,
      };
      expect(await s.putEventHandler(h, 'create')).toBe(true);
      expect(await s.putEventHandler(h, 'create')).toBe(false);
      expect(await s.putEventHandler({ ...h, name: 'h2' }, 'update')).toBe(false);
      expect(await s.putEventHandler({ ...h, active: false }, 'update')).toBe(true);
      await s.putEventHandler({ ...h, name: 'h0', event: 'conductor:other' }, 'create');
      expect((await s.listEventHandlers('conductor:orders')).map((x) => [x.name, x.active])).toEqual([['h1', false]]);
      expect((await s.listEventHandlers(null)).map((x) => x.name)).toEqual(['h0', 'h1']);
      expect(await s.deleteEventHandler('h1')).toBe(true);
      expect(await s.deleteEventHandler('h1')).toBe(false);
    });

    it('registers waits by task id, finds them by event name (paged) and by workflow and signal name', async () => {
      const s = current();
      await s.putWait({ taskId: 't2', workflowId: 'w1', kind: 'event', name: 'orders', since: 10 });
      await s.putWait({ taskId: 't1', workflowId: 'w2', kind: 'event', name: 'orders', since: 20 });
      await s.putWait({ taskId: 't1', workflowId: 'w2', kind: 'event', name: 'orders', since: 20 });
      await s.putWait({ taskId: 't3', workflowId: 'w1', kind: 'signal', name: 'go', since: 30 });
      expect((await s.eventWaits('orders', '', 10)).map((w) => w.taskId)).toEqual(['t1', 't2']);
      expect((await s.eventWaits('orders', 't1', 10)).map((w) => w.taskId)).toEqual(['t2']);
      expect(await s.signalWaits('w1', 'go')).toEqual([{ taskId: 't3', workflowId: 'w1', kind: 'signal', name: 'go', since: 30 }]);
      await s.deleteWait('t3');
      expect(await s.signalWaits('w1', 'go')).toEqual([]);
    });
  });

  describe('signals', () => {
    const signal = (signalId: string, name: string, receivedAt: number) => ({
      signalId,
      workflowId: 'w',
      name,
      payload: { v: signalId },
      receivedAt,
      takenBy: null,
      consumedAt: 0,
      delivered: false,
    });

    it('appends in order, once per signal id', async () => {
      const s = current();
      expect((await s.appendSignal(signal('a', 'go', 1))).signal.seq).toBe(1);
      expect(await s.appendSignal(signal('a', 'go', 9))).toMatchObject({ created: false, signal: { seq: 1, receivedAt: 1 } });
      expect((await s.appendSignal(signal('b', 'stop', 2))).signal.seq).toBe(2);
      expect((await s.appendSignal({ ...signal('a', 'go', 3), workflowId: 'other' })).signal.seq).toBe(1);
      expect((await s.listSignals('w', 10)).map((x) => [x.signalId, x.seq, x.payload])).toEqual([
        ['a', 1, { v: 'a' }],
        ['b', 2, { v: 'b' }],
      ]);
    });

    it('hands the oldest free signal of a name to one attempt; a redo gets the same one; a release puts it back', async () => {
      const s = current();
      await s.appendSignal(signal('a', 'go', 1));
      await s.appendSignal(signal('x', 'other', 2));
      await s.appendSignal(signal('b', 'go', 3));
      expect((await s.takeSignal('w', 'go', 't1'))?.signalId).toBe('a');
      expect((await s.takeSignal('w', 'go', 't1'))?.signalId).toBe('a');
      expect((await s.takeSignal('w', 'go', 't2'))?.signalId).toBe('b');
      expect(await s.takeSignal('w', 'go', 't3')).toBeNull();
      expect((await s.takenSignals('w', 'go')).map((x) => x.takenBy)).toEqual(['t1', 't2']);
      expect(await s.releaseSignal('a', 'w', 'tX')).toBe(false);
      expect(await s.releaseSignal('a', 'w', 't1')).toBe(true);
      expect((await s.takeSignal('w', 'go', 't3'))?.signalId).toBe('a');
      await s.consumeSignal('b', 'w', 't2', 50);
      expect(await s.releaseSignal('b', 'w', 't2')).toBe(false);
      expect((await s.takenSignals('w', 'go')).map((x) => x.signalId)).toEqual(['a']);
      expect((await s.listSignals('w', 10)).find((x) => x.signalId === 'b')).toMatchObject({
        consumedAt: 50,
        takenBy: 't2',
        delivered: true,
      });
      // An attempt with the same id later (a restarted run) does not get the signal it consumed.
      await s.appendSignal(signal('c', 'go', 60));
      expect((await s.takeSignal('w', 'go', 't2'))?.signalId).toBe('c');
    });

    it('lists undelivered signals older than a time until they are marked', async () => {
      const s = current();
      await s.appendSignal(signal('a', 'go', 10));
      await s.appendSignal(signal('b', 'go', 20));
      expect((await s.undeliveredSignals(15, 10)).map((x) => x.signalId)).toEqual(['a']);
      await s.markSignalDelivered('a', 'w');
      expect((await s.undeliveredSignals(100, 10)).map((x) => x.signalId)).toEqual(['b']);
    });
  });

  describe('schedules', () => {
    const schedule = (name: string, nextRunTime: number, extra: Partial<ScheduleRecord> = {}): ScheduleRecord => ({
      name,
      cronExpression: '0 * * * * *',
      zoneId: 'UTC',
      startWorkflowRequest: { name: 'wf', input: { 'a.b': 1 } },
      paused: false,
      runCatchupScheduleInstances: false,
      createTime: 1,
      updatedTime: 1,
      nextRunTime,
      ...extra,
    });

    it('finds due schedules, not paused ones, and moves a due time once (compare-and-set)', async () => {
      const s = current();
      await s.putSchedule(schedule('a', 1000));
      await s.putSchedule(schedule('b', 2000, { paused: true }));
      await s.putSchedule(schedule('c', 0));
      expect((await s.dueSchedules(5000, 10)).map((x) => x.name)).toEqual(['a']);
      expect(await s.advanceSchedule('a', 1000, 61_000)).toBe(true);
      expect(await s.advanceSchedule('a', 1000, 61_000)).toBe(false);
      expect((await s.getSchedule('a'))?.nextRunTime).toBe(61_000);
      expect(await s.dueSchedules(5000, 10)).toEqual([]);
      expect(await s.setSchedulePaused('b', false, null, 3000, 10)).toBe(true);
      expect(await s.getSchedule('b')).toMatchObject({ paused: false, nextRunTime: 3000, updatedTime: 10 });
      expect(await s.setSchedulePaused('a', true, 'maintenance', 61_000, 11)).toBe(true);
      expect(await s.getSchedule('a')).toMatchObject({ paused: true, pausedReason: 'maintenance' });
      expect(await s.setSchedulePaused('nope', true, null, 0, 1)).toBe(false);
      expect((await s.listSchedules('wf')).map((x) => x.name)).toEqual(['a', 'b', 'c']);
      expect((await s.getSchedule('c'))?.startWorkflowRequest).toEqual({ name: 'wf', input: { 'a.b': 1 } });
      expect(await s.deleteSchedule('c')).toBe(true);
      expect(await s.getSchedule('c')).toBeNull();
    });

    it('records executions by id and searches them by schedule, state and time', async () => {
      const s = current();
      const x = (id: string, name: string, at: number, state: 'POLLED' | 'EXECUTED' | 'FAILED') => ({
        executionId: id,
        scheduleName: name,
        scheduledTime: at,
        executionTime: at + 5,
        workflowName: 'wf',
        workflowId: `w-${id}`,
        reason: null,
        state,
        startWorkflowRequest: { name: 'wf' },
        zoneId: 'UTC',
      });
      await s.putScheduleExecution(x('1', 'a', 100, 'POLLED'));
      await s.putScheduleExecution(x('1', 'a', 100, 'EXECUTED'));
      await s.putScheduleExecution(x('2', 'a', 200, 'FAILED'));
      await s.putScheduleExecution(x('3', 'b', 300, 'EXECUTED'));
      const all = await s.searchScheduleExecutions({ start: 0, size: 10 });
      expect(all.totalHits).toBe(3);
      expect(all.results.map((r) => r.executionId)).toEqual(['3', '2', '1']);
      const a = await s.searchScheduleExecutions({ scheduleNames: ['a'], states: ['EXECUTED'], start: 0, size: 10 });
      expect(a.results.map((r) => [r.executionId, r.state])).toEqual([['1', 'EXECUTED']]);
      expect((await s.searchScheduleExecutions({ from: 150, to: 250, start: 0, size: 10 })).results.map((r) => r.executionId)).toEqual([
        '2',
      ]);
      expect((await s.searchScheduleExecutions({ desc: false, start: 1, size: 1 })).results.map((r) => r.executionId)).toEqual(['2']);
    });
  });

  describe('flow control', () => {
    it('queues runs FIFO per key, once each, and walks the keys that have runs waiting', async () => {
      const s = current();
      const a1 = await s.flowEnqueue('k/a', 'w1', 10);
      await s.flowEnqueue('k/a', 'w2', 11);
      expect((await s.flowEnqueue('k/a', 'w1', 12)).seq).toBe(a1.seq);
      await s.flowEnqueue('k/b', 'w3', 13);
      expect((await s.flowQueue('k/a', 10)).map((w) => w.workflowId)).toEqual(['w1', 'w2']);
      const w2 = (await s.flowQueue('k/a', 10))[1]!;
      expect(await s.flowQueuePosition('k/a', w2.seq)).toEqual({ ahead: 1, total: 2 });
      expect(await s.flowKeysWaiting('', 10)).toEqual(['k/a', 'k/b']);
      expect(await s.flowKeysWaiting('k/a', 10)).toEqual(['k/b']);
      expect((await s.flowWaitsOf('w1')).map((w) => w.keyId)).toEqual(['k/a']);
      await s.flowDequeue('k/a', 'w1');
      expect((await s.flowQueue('k/a', 10)).map((w) => w.workflowId)).toEqual(['w2']);
      const again = await s.flowEnqueue('k/a', 'w1', 20);
      expect(again.seq).toBeGreaterThan(w2.seq);
    });

    it('never gives a key more slots than its limit; a holder asking again keeps its slot; a release frees one', async () => {
      const s = current();
      expect(await s.flowAcquire('k', 'w1', 2)).toBe(true);
      expect(await s.flowAcquire('k', 'w1', 2)).toBe(true);
      expect(await s.flowAcquire('k', 'w2', 2)).toBe(true);
      expect(await s.flowAcquire('k', 'w3', 2)).toBe(false);
      const racing = await Promise.all(['x1', 'x2', 'x3'].map((w) => s.flowAcquire('k2', w, 1)));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await s.flowHolders('k')).toEqual(['w1', 'w2']);
      expect(await s.flowHeldBy('w1')).toEqual(['k']);
      await s.flowRelease('k', 'w1');
      await s.flowRelease('k', 'w1');
      expect(await s.flowAcquire('k', 'w3', 2)).toBe(true);
      expect(await s.flowAcquire('k', 'w4', 2)).toBe(false);
    });

    it('debounces: folds only into an open debounce, opens once per key, fires only when due', async () => {
      const s = current();
      const request = { name: 'wf', correlationId: null, priority: 0 };
      expect(await s.debounceFold('d', { v: 1 }, 2000, 1000)).toBeNull();
      expect(await s.debounceOpen({ keyId: 'd', workflowId: 'w1', request, input: { v: 1 }, dueAt: 2000, fired: false })).toBe(true);
      expect(await s.debounceOpen({ keyId: 'd', workflowId: 'w2', request, input: { v: 9 }, dueAt: 2000, fired: false })).toBe(false);
      expect(await s.debounceFold('d', { v: 2 }, 2500, 1500)).toMatchObject({ workflowId: 'w1', input: { v: 2 }, dueAt: 2500 });
      expect(await s.debounceFire('d', 'w1', 2499)).toBeNull();
      expect(await s.dueDebounces(2499, 10)).toEqual([]);
      expect((await s.dueDebounces(2500, 10)).map((d) => d.workflowId)).toEqual(['w1']);
      expect(await s.debounceFold('d', { v: 3 }, 4000, 2500)).toBeNull();
      expect(await s.debounceFire('d', 'w1', 2500)).toMatchObject({ fired: true, input: { v: 2 } });
      expect(await s.debounceFire('d', 'w1', 0)).toMatchObject({ fired: true });
      expect(await s.debounceFold('d', { v: 3 }, 9000, 2600)).toBeNull();
      expect((await s.dueDebounces(0, 10)).map((d) => d.keyId)).toEqual(['d']);
      await s.debounceClose('d', 'w1');
      expect(await s.getDebounce('d')).toBeNull();
      expect(await s.debounceOpen({ keyId: 'd', workflowId: 'w2', request, input: { v: 3 }, dueAt: 9000, fired: false })).toBe(true);
    });

    it('replaces the input of a held run only while it is held', async () => {
      const s = current();
      await s.createWorkflow({ ...workflowRecord({ workflowId: 'held', input: { v: 1 } }), flowWait: { since: 1 } }, []);
      await s.createWorkflow(workflowRecord({ workflowId: 'free', input: { v: 1 } }), []);
      expect(await s.setHeldInput('held', { v: 2 }, 5)).toBe(true);
      expect(await s.setHeldInput('free', { v: 2 }, 5)).toBe(false);
      expect((await s.getWorkflow('held'))?.input).toEqual({ v: 2 });
      expect((await s.getWorkflow('free'))?.input).toEqual({ v: 1 });
      const held = await s.getWorkflow('held');
      const { steps: _s, ...meta } = held!.state;
      void _s;
      expect(
        await s.commitDecision({
          workflowId: 'held',
          expectedRevision: held!.revision,
          workflow: { flowWait: null },
          meta,
          newTasks: [],
          appliedTaskIds: [],
          closeTasks: [],
          now: 6,
        }),
      ).toBe(true);
      expect((await s.getWorkflow('held'))?.flowWait ?? null).toBeNull();
      expect(await s.setHeldInput('held', { v: 3 }, 7)).toBe(false);
    });
  });

  describe('retention', () => {
    it('purges processed events with their effects, consumed signals and old executions, keeping the rest', async () => {
      const s = current();
      await s.insertEvent(event('old', 'x', 10));
      await s.finishEvent('old', 11);
      await s.insertEvent(event('pending', 'x', 10));
      await s.insertEvent(event('new', 'x', 5000));
      await s.finishEvent('new', 5001);
      await s.putEventEffect(effect('old', 'h#0'), false);
      const a = await s.appendSignal({
        signalId: 'a',
        workflowId: 'w',
        name: 'go',
        payload: null,
        receivedAt: 1,
        takenBy: null,
        consumedAt: 0,
        delivered: false,
      });
      await s.takeSignal('w', 'go', 't');
      await s.consumeSignal(a.signal.signalId, 'w', 't', 20);
      await s.appendSignal({
        signalId: 'b',
        workflowId: 'w',
        name: 'go',
        payload: null,
        receivedAt: 2,
        takenBy: null,
        consumedAt: 0,
        delivered: false,
      });
      expect(await s.purgeReactions(1000, 100)).toBeGreaterThanOrEqual(2);
      expect(await s.getEvent('old')).toBeNull();
      expect(await s.eventEffects(['old'])).toEqual([]);
      expect(await s.getEvent('pending')).not.toBeNull();
      expect(await s.getEvent('new')).not.toBeNull();
      expect((await s.listSignals('w', 10)).map((x) => x.signalId)).toEqual(['b']);
    });
  });
}
