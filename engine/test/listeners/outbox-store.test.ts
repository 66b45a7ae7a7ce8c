import { DeliveryStatus, type ListenerDelivery } from '../../src/domain/listeners';
import type { Store } from '../../src/store/port';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

jest.setTimeout(180_000);

function row(workflowId: string, seq: number, target: ListenerDelivery['target'] = 'webhook:x'): ListenerDelivery {
  return {
    deliveryId: `${workflowId}.${seq}.${target}`,
    workflowId,
    seq,
    target,
    event: 'baton:workflow:RUNNING',
    body: JSON.stringify({ seq }),
    createdAt: 1,
    status: DeliveryStatus.PENDING,
    attempts: 0,
    nextAt: 1,
    leaseUntil: 0,
    lastError: null,
    deliveredAt: 0,
  };
}

/** Drains the relay (MongoDB keeps a commit's rows in the workflow document until relayed). */
async function relay(store: Store): Promise<void> {
  if (store.relayListenerOutbox) while ((await store.relayListenerOutbox(100)) > 0);
}

/**
 * The outbox's store contract, on every store: rows are written by the commit that makes the
 * change and only when it holds; the queue hands out the head of each (workflow, target) only;
 * leases and settlements are fenced.
 */
describe.each(storeKinds())('listener outbox in the store (%s)', (kind) => {
  let s: TestServer;
  let store: Store;
  let workflowId: string;
  let revision: number;

  beforeAll(async () => {
    s = await startTestServer(kind, { env: { BATON_LISTENER_INTERVAL_MS: '600000', BATON_ALERT_INTERVAL_MS: '3600000' } });
    store = s.engine.store;
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'obx_a', retryCount: 0, responseTimeoutSeconds: 60 }]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'obx',
      version: 1,
      schemaVersion: 2,
      tasks: [{ name: 'obx_a', taskReferenceName: 'a', type: 'SIMPLE' }],
    });
    workflowId = (await s.req('POST', '/api/workflow/obx', {})).text;
    revision = (await store.getWorkflow(workflowId))?.revision ?? -1;
  });
  afterAll(() => s?.close());

  const commit = (expectedRevision: number, outbox: ListenerDelivery[]) =>
    store.commitDecision({
      workflowId,
      expectedRevision,
      workflow: { updateTime: 5 },
      newTasks: [],
      appliedTaskIds: [],
      closeTasks: [],
      outbox,
      now: 5,
    });

  it('writes no row for a decision that lost its revision fence', async () => {
    expect(await commit(revision + 7, [row(workflowId, 900)])).toBe(false);
    await relay(store);
    expect(await store.listDeliveries({ workflowId, limit: 10 })).toEqual([]);
  });

  it('writes the rows of a decision that holds, once, and hands out only the head of each run and target', async () => {
    expect(await commit(revision, [row(workflowId, 1), row(workflowId, 2), row(workflowId, 1, 'events')])).toBe(true);
    expect(await commit(revision + 1, [row(workflowId, 3)])).toBe(true);
    await relay(store);
    const all = await store.listDeliveries({ workflowId, limit: 10 });
    expect(all.map((d) => d.deliveryId).sort()).toEqual([
      `${workflowId}.1.events`,
      `${workflowId}.1.webhook:x`,
      `${workflowId}.2.webhook:x`,
      `${workflowId}.3.webhook:x`,
    ]);
    // The workflow record carries nothing of it (MongoDB's relay emptied the document's outbox).
    expect(JSON.stringify(await store.getWorkflow(workflowId))).not.toContain('listenerOutbox');
    const due = await store.dueDeliveries(10, 10);
    expect(due.map((d) => d.deliveryId).sort()).toEqual([`${workflowId}.1.events`, `${workflowId}.1.webhook:x`]);
    expect(await store.pendingDeliveries()).toBe(4);
  });

  it('fences leases and settlements, and moves the head on when one is settled', async () => {
    const id = `${workflowId}.1.webhook:x`;
    const leased = await store.leaseDelivery(id, 10, 1000);
    expect(leased?.leaseUntil).toBe(1000);
    expect(await store.leaseDelivery(id, 10, 2000)).toBeNull();
    // Not due while leased, and the next of its sequence is not handed out either.
    expect((await store.dueDeliveries(20, 10)).map((d) => d.deliveryId)).toEqual([`${workflowId}.1.events`]);
    expect(
      await store.settleDelivery(id, 999, { status: DeliveryStatus.DELIVERED, attempts: 1, nextAt: 20, lastError: null, deliveredAt: 20 }),
    ).toBe(false);
    expect(
      await store.settleDelivery(id, 1000, {
        status: DeliveryStatus.PENDING,
        attempts: 1,
        nextAt: 500,
        lastError: 'HTTP 500',
        deliveredAt: 0,
      }),
    ).toBe(true);
    // Retried later: its successor still waits behind it.
    expect((await store.dueDeliveries(20, 10)).map((d) => d.deliveryId)).toEqual([`${workflowId}.1.events`]);
    const again = await store.leaseDelivery(id, 500, 1500);
    expect(again?.attempts).toBe(1);
    expect(
      await store.settleDelivery(id, 1500, {
        status: DeliveryStatus.DELIVERED,
        attempts: 2,
        nextAt: 600,
        lastError: null,
        deliveredAt: 600,
      }),
    ).toBe(true);
    expect((await store.dueDeliveries(700, 10)).map((d) => d.deliveryId).sort()).toEqual([
      `${workflowId}.1.events`,
      `${workflowId}.2.webhook:x`,
    ]);
    expect(await store.purgeDeliveries(601, 10)).toBe(1);
    expect(await store.pendingDeliveries()).toBe(3);
  });

  it('keeps listener settings with an audit trail', async () => {
    await store.putListenerConfig({ kind: 'alertRule', name: 'queueDepth', doc: { threshold: 5 }, changedBy: 'ann', updateTime: 1 });
    await store.putListenerConfig({ kind: 'alertRule', name: 'queueDepth', doc: { threshold: 9 }, changedBy: 'bob', updateTime: 2 });
    expect(await store.listListenerConfig('alertRule')).toEqual([
      { kind: 'alertRule', name: 'queueDepth', doc: { threshold: 9 }, changedBy: 'bob', updateTime: 2 },
    ]);
    const changes = await store.listenerConfigChanges('alertRule', 10);
    expect(changes.map((c) => [c.changedBy, c.before, c.after])).toEqual([
      ['bob', { threshold: 5 }, { threshold: 9 }],
      ['ann', null, { threshold: 5 }],
    ]);
    expect(await store.deleteListenerConfig('alertRule', 'queueDepth', 'cy', 3)).toBe(true);
    expect(await store.deleteListenerConfig('alertRule', 'queueDepth', 'cy', 3)).toBe(false);
    expect(await store.listListenerConfig('alertRule')).toEqual([]);
  });
});
