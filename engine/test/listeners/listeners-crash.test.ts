import { EngineProcess, call, freePort, waitFor } from '../helpers/engine-process';
import { storeKinds, testEnv } from '../helpers/server';
import { WebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'crash-test-secret-value';
const RUNS = 10;
const CHANGES = [
  'baton:task:SCHEDULED a',
  'baton:workflow:RUNNING',
  'baton:task:COMPLETED a',
  'baton:task:SCHEDULED b',
  'baton:task:COMPLETED b',
  'baton:workflow:COMPLETED',
];

/** Calls until answered 2xx, across the engine's death and restart. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Error && / -> 4\d\d /.test(err.message)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The engine is killed with SIGKILL while a webhook request is in flight (the receiver holds it
 * open), and restarted on the same store. Every status change committed before or after the kill
 * reaches the receiver (which fails every other request), in order per run; the one in flight is
 * sent again with the same delivery id, so after dedup by that id each change arrived once.
 */
describe.each(storeKinds())('status listeners across kill -9 (%s)', (kind) => {
  it('delivers every change, in order, after a crash mid-delivery', async () => {
    const receiver = new WebhookReceiver(SECRET);
    const hookPort = await receiver.start();
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    receiver.holdAt = 7;
    receiver.onHold = () => held();
    const env = testEnv(kind, {
      LOG_LEVEL: 'warn',
      BATON_WEBHOOK_ALLOW: '127.0.0.1',
      BATON_WEBHOOK_BACKOFF_MS: '20',
      BATON_WEBHOOK_MAX_BACKOFF_MS: '200',
      BATON_WEBHOOK_TIMEOUT_MS: '1000',
      BATON_LISTENER_INTERVAL_MS: '50',
      BATON_SWEEP_INTERVAL_MS: '200',
    });
    const engine = new EngineProcess(await freePort(), env);
    await engine.start();
    const url = engine.url;
    try {
      await call(url, 'PUT', '/api/listeners/webhooks/ops', { url: `http://127.0.0.1:${hookPort}/hook`, secret: SECRET });
      await call(url, 'POST', '/api/metadata/taskdefs', [
        { name: 'crash_a', retryCount: 0, responseTimeoutSeconds: 60, taskStatusListenerEnabled: true },
        { name: 'crash_b', retryCount: 0, responseTimeoutSeconds: 60, taskStatusListenerEnabled: true },
      ]);
      await call(url, 'POST', '/api/metadata/workflow', {
        name: 'crash_listened',
        version: 1,
        schemaVersion: 2,
        workflowStatusListenerEnabled: true,
        statusListener: { webhooks: ['ops'], events: false },
        tasks: [
          { name: 'crash_a', taskReferenceName: 'a', type: 'SIMPLE' },
          { name: 'crash_b', taskReferenceName: 'b', type: 'SIMPLE' },
        ],
      });
      const ids: string[] = [];
      for (let i = 0; i < RUNS; i++) ids.push(await call(url, 'POST', '/api/workflow/crash_listened', { i }));
      // The 7th request is held open: the engine dies while it waits for the answer.
      await holding;
      await engine.kill();
      receiver.holdAt = 0;
      await engine.start();

      // Workers finish the runs on the restarted engine.
      await waitFor(
        'every run to complete',
        async () => {
          for (const type of ['crash_a', 'crash_b']) {
            const tasks = ((await retrying(() => call(url, 'GET', `/api/tasks/poll/batch/${type}?count=20&timeout=100&workerid=w`))) ??
              []) as Array<{ taskId: string; workflowInstanceId: string }>;
            for (const t of tasks) {
              await retrying(() =>
                call(url, 'POST', '/api/tasks', {
                  taskId: t.taskId,
                  workflowInstanceId: t.workflowInstanceId,
                  workerId: 'w',
                  status: 'COMPLETED',
                  outputData: {},
                }),
              );
            }
          }
          const statuses = await Promise.all(
            ids.map(async (id) => (await call(url, 'GET', `/api/workflow/${id}?includeTasks=false`)).status),
          );
          return statuses.every((s) => s === 'COMPLETED');
        },
        120_000,
        100,
      );
      const total = RUNS * CHANGES.length;
      await waitFor('every change delivered', async () => receiver.accepted().length >= total, 120_000, 100);
      await waitFor(
        'an empty outbox',
        async () => (await call(url, 'GET', '/api/listeners/deliveries?status=PENDING')).length === 0,
        60_000,
        100,
      );

      const heldRequest = receiver.requests.find((r) => r.status === 0);
      expect(heldRequest).toBeDefined();
      const accepted = receiver.accepted();
      expect(accepted).toHaveLength(total);
      // The one in flight at the kill came again with the same id, and was accepted then.
      expect(accepted.some((r) => r.deliveryId === heldRequest?.deliveryId)).toBe(true);
      expect(receiver.requests.every((r) => r.signatureOk)).toBe(true);
      for (const id of ids) {
        const mine = accepted.filter((r) => r.body.workflow.workflowId === id);
        expect([id, mine.map((r) => (r.body.task ? `${r.body.event} ${r.body.task.referenceTaskName}` : r.body.event))]).toEqual([
          id,
          CHANGES,
        ]);
      }
      const dead = await call(url, 'GET', '/api/listeners/deliveries?status=DEAD');
      expect(dead).toEqual([]);
    } finally {
      await engine.kill();
      await receiver.close();
    }
  }, 300_000);
});
