import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';
import { until } from './until';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

/** Per-key flow control of runs: concurrency (FIFO per key), debounce, rate limit. */
describe.each(storeKinds())('flow control (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'work' }]);
    await p.workflowDef({
      name: 'per_customer',
      version: 1,
      tasks: [{ name: 'work', taskReferenceName: 'work', inputParameters: { n: '${workflow.input.n}' } }],
      flowControl: { concurrency: [{ key: '${workflow.input.customer}', limit: 1 }] },
    });
  });
  afterEach(async () => {
    await p.close();
  });

  const flow = async (id: string) => (await p.s.req('GET', `/api/workflow/${id}/flow`)).body;
  const start = (customer: string, n: number) => p.start('per_customer', { customer, n });
  const workOf = async (id: string) => (await p.tasksOf(id)).filter((t) => t.referenceTaskName === 'work');

  it('runs beyond the limit wait visibly, in FIFO order per key, and the next goes in when one ends', async () => {
    const a1 = await start('A', 1);
    const a2 = await start('A', 2);
    const a3 = await start('A', 3);
    const b1 = await start('B', 1);
    expect(await workOf(a1)).toHaveLength(1);
    expect(await workOf(b1)).toHaveLength(1);
    expect(await workOf(a2)).toEqual([]);
    const w2 = await p.workflow(a2);
    expect(w2).toMatchObject({ status: 'RUNNING', flowWait: { since: expect.any(Number) } });
    expect(await flow(a2)).toMatchObject({
      state: 'WAITING',
      waiting: [{ key: 'per_customer/concurrency0/A', position: 1, queued: 2 }],
      holds: [],
    });
    expect((await flow(a3)).waiting[0].position).toBe(2);
    expect(await flow(a1)).toMatchObject({ state: 'ADMITTED', holds: ['per_customer/concurrency0/A'], waiting: [] });

    const t1 = (await p.poll('work', 10)).find((t) => t.workflowInstanceId === a1);
    p.clock.advance(1000);
    await p.report(t1, 'COMPLETED');
    const let2 = await until(
      () => workOf(a2),
      (ts) => ts.length === 1,
    );
    expect(let2[0].status).toBe('SCHEDULED');
    expect((await p.workflow(a2)).startTime).toBe(p.clock.now());
    expect((await p.workflow(a2)).flowWait).toBeUndefined();
    expect(await flow(a3)).toMatchObject({ state: 'WAITING', waiting: [{ position: 1, queued: 1 }] });

    // A waiting run can be terminated: it leaves the queue and holds nothing.
    expect((await p.s.req('DELETE', `/api/workflow/${a3}`)).status).toBe(200);
    await until(
      () => flow(a3),
      (f) => f.waiting.length === 0,
    );
    await p.report(await p.pollOne('work'), 'COMPLETED');
    await until(
      () => p.engine.store.flowHolders('per_customer/concurrency0/A'),
      (h) => h.length === 0,
    );
    expect(await workOf(a3)).toEqual([]);
  });

  it('lets runs of one key in strictly in the order they were started', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) ids.push(await start('C', n));
    const order: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [t] = await until(
        () => p.poll('work'),
        (ts) => ts.length === 1,
      );
      order.push(t.inputData.n as number);
      await p.report(t, 'COMPLETED');
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    for (const id of ids) expect((await p.workflow(id)).status).toBe('COMPLETED');
  });

  it('debounce folds starts within the period into one run with the latest input', async () => {
    await p.workflowDef({
      name: 'digest',
      version: 1,
      tasks: [{ name: 'work', taskReferenceName: 'work', inputParameters: { n: '${workflow.input.n}' } }],
      flowControl: { debounce: { key: '${workflow.input.user}', period: '5s' } },
    });
    const first = await p.start('digest', { user: 'u1', n: 1 });
    p.clock.advance(3000);
    expect(await p.start('digest', { user: 'u1', n: 2 })).toBe(first);
    const other = await p.start('digest', { user: 'u2', n: 9 });
    expect(other).not.toBe(first);
    p.clock.advance(3000);
    expect(await p.start('digest', { user: 'u1', n: 3 })).toBe(first);
    expect((await p.workflow(first)).input).toEqual({ user: 'u1', n: 3 });
    expect(await flow(first)).toMatchObject({ state: 'DEBOUNCING', debounce: { dueAt: p.clock.now() + 5000 } });
    await p.tick(4999);
    expect(await workOf(first)).toEqual([]);
    await p.tick(1);
    expect(
      (
        await until(
          () => workOf(first),
          (ts) => ts.length === 1,
        )
      )[0].inputData,
    ).toEqual({ n: 3 });
    expect((await workOf(other))[0].inputData).toEqual({ n: 9 });
    // The period is over: the next start is a new run.
    const next = await p.start('digest', { user: 'u1', n: 4 });
    expect(next).not.toBe(first);
  });

  it('rateLimit lets `limit` runs per key in per period; the others wait for the next window', async () => {
    await p.workflowDef({
      name: 'rated',
      version: 1,
      tasks: [{ name: 'work', taskReferenceName: 'work' }],
      flowControl: { rateLimit: { key: '${workflow.input.account}', limit: 2, period: '1m' } },
    });
    p.clock.set(Math.ceil(p.clock.now() / 60_000) * 60_000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await p.start('rated', { account: 'x' }));
    const started = async () => (await Promise.all(ids.map(workOf))).filter((ts) => ts.length > 0).length;
    expect(await until(started, (n) => n >= 2)).toBe(2);
    expect((await flow(ids[2]!)).waiting[0]).toMatchObject({ key: 'rated/rate/x', position: 1 });
    await p.tick(60_000);
    await p.tick(0);
    await p.tick(0);
    await p.tick(0);
    expect(await until(started, (n) => n >= 4)).toBe(4);
    await p.tick(60_000);
    await p.tick(0);
    await p.tick(0);
    await p.tick(0);
    expect(await until(started, (n) => n >= 5)).toBe(5);
  });

  it('refuses a flow-control key that reads anything but the workflow, naming the field', async () => {
    const r = await p.s.req('PUT', '/api/metadata/workflow', [
      {
        name: 'bad',
        tasks: [{ name: 'work', taskReferenceName: 'work' }],
        flowControl: { concurrency: [{ key: '${work.output.x}', limit: 1 }], debounce: { key: 'k', period: '0s' } },
      },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { pointer: '/0/flowControl/concurrency/0/key', message: expect.stringMatching(/can only read \$\{workflow/) },
      { pointer: '/0/flowControl/debounce/period', message: expect.stringMatching(/at least 1s/) },
    ]);
  });
});
