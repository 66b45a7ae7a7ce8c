import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';
import { until } from './until';

// Each case takes several round trips through an engine; generous for a loaded machine.
jest.setTimeout(120_000);

const QUEUED_A = 1000;
/** A-runs completed before B is started, so that B arrives while A's queue is busy moving. */
const A_BEFORE_B = 20;

/**
 * Fairness across keys: tenant A has 1,000 runs queued behind its concurrency limit, tenant B
 * starts one. B's wait is measured in slots: how many A runs were let in between B's start and
 * B's own admission. Keys never wait for each other (each has its own queue and pump), so B goes
 * in at once: zero A slots, whatever A's backlog. Counted, never timed.
 */
describe.each(storeKinds())('fairness across flow-control keys (%s)', (kind) => {
  let p: PolicyServer;
  beforeAll(async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'work' }]);
    await p.workflowDef({
      name: 'tenant_job',
      version: 1,
      tasks: [{ name: 'work', taskReferenceName: 'work' }],
      flowControl: { concurrency: [{ key: '${workflow.input.tenant}', limit: 1 }] },
    });
  });
  afterAll(async () => {
    await p.close();
  });

  it(`lets B's single run in without waiting for any of A's ${QUEUED_A} queued runs`, async () => {
    const keyA = 'tenant_job/concurrency0/A';
    const keyB = 'tenant_job/concurrency0/B';
    for (let i = 0; i < QUEUED_A; i++) await p.start('tenant_job', { tenant: 'A', i });
    expect((await p.engine.store.flowQueuePosition(keyA, Number.MAX_SAFE_INTEGER)).total).toBe(QUEUED_A - 1);

    // A's worker has been busy: each completion let the next A run in (1 at start + one per completion).
    const grants = p.engine.reactions.admission.grants;
    for (let done = 0; done < A_BEFORE_B; done++) {
      const [t] = await until(
        () => p.poll('work'),
        (ts) => ts.length === 1,
      );
      await p.report(t, 'COMPLETED');
    }
    await until(
      async () => grants.get(keyA) ?? 0,
      (n) => n === A_BEFORE_B + 1,
    );

    // Quiet: B starts while A's slot is held; it must not wait for any A slot.
    const aBefore = grants.get(keyA) ?? 0;
    const b = await p.start('tenant_job', { tenant: 'B', n: 1 });
    const admitted = await until(
      () => p.workflow(b),
      (w) => w.tasks.length === 1,
    );
    const quietWait = (grants.get(keyA) ?? 0) - aBefore;
    expect(admitted.flowWait).toBeUndefined();
    expect(quietWait).toBe(0);

    // Busy: A's worker completes A runs as fast as it can while B2 starts. B2 is let in by its own
    // start (its key's pump runs before the start answers): when the start answers, its first task
    // is there, whatever A does. A runs let in meanwhile are counted (they ran beside B2, not before it).
    let stop = false;
    let aDone = 0;
    const aWorker = (async () => {
      while (!stop) {
        const ts = await p.poll('work', 5);
        for (const t of ts) {
          await p.report(t, 'COMPLETED');
          aDone++;
        }
        if (ts.length === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until(
      async () => aDone,
      (n) => n >= 5,
    );
    const aBusyBefore = grants.get(keyA) ?? 0;
    const b2 = await p.start('tenant_job', { tenant: 'B', n: 2 });
    const b2Now = await p.workflow(b2);
    const busyWait = (grants.get(keyA) ?? 0) - aBusyBefore;
    expect(b2Now.flowWait).toBeUndefined();
    expect(b2Now.tasks).toHaveLength(1);
    stop = true;
    await aWorker;
    const aStillQueued = (await p.engine.store.flowQueuePosition(keyA, Number.MAX_SAFE_INTEGER)).total;
    console.info(
      `[fairness ${kind}] A: ${QUEUED_A} runs, limit 1. B started after ${A_BEFORE_B} A runs ended: A runs let in while B waited = ${quietWait}. ` +
        `B2 started while A's worker ran flat out: let in by its own start, A runs let in beside it = ${busyWait}; A still queued: ${aStillQueued}`,
    );
    expect(grants.get(keyB)).toBe(2);
    expect(aStillQueued).toBeGreaterThan(QUEUED_A / 2);
  }, 600_000);
});
