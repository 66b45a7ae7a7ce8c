import { startTestServer, storeKinds, type TestServer } from '../helpers/server';
import { WebhookReceiver, type Received } from '../helpers/webhook-receiver';
import { until } from '../reactions/until';

jest.setTimeout(180_000);

const SECRET = 'a-test-secret-of-some-length';

/** Fast retries, frequent passes: the receiver fails every other request. */
const env = {
  BATON_WEBHOOK_ALLOW: '127.0.0.1',
  BATON_WEBHOOK_BACKOFF_MS: '20',
  BATON_WEBHOOK_MAX_BACKOFF_MS: '200',
  BATON_LISTENER_INTERVAL_MS: '50',
  BATON_ALERT_INTERVAL_MS: '3600000',
};

async function define(s: TestServer, name: string, listener: Record<string, unknown>): Promise<void> {
  expect(
    (
      await s.req('POST', '/api/metadata/taskdefs', [
        { name: `${name}_a`, retryCount: 0, responseTimeoutSeconds: 60, taskStatusListenerEnabled: true },
        { name: `${name}_b`, retryCount: 0, responseTimeoutSeconds: 60, taskStatusListenerEnabled: true },
      ])
    ).status,
  ).toBeLessThan(300);
  const wf = {
    name,
    version: 1,
    schemaVersion: 2,
    workflowStatusListenerEnabled: true,
    ...listener,
    tasks: [
      { name: `${name}_a`, taskReferenceName: 'a', type: 'SIMPLE' },
      { name: `${name}_b`, taskReferenceName: 'b', type: 'SIMPLE' },
    ],
  };
  expect((await s.req('POST', '/api/metadata/workflow', wf)).status).toBeLessThan(300);
}

/** Polls and reports tasks of a type; `fail` decides which runs' tasks fail. */
async function work(s: TestServer, type: string, fail: (workflowId: string) => boolean): Promise<number> {
  const polled = await s.req('GET', `/api/tasks/poll/batch/${type}?count=20&timeout=100&workerid=w1`);
  const tasks = (polled.body ?? []) as Array<{ taskId: string; workflowInstanceId: string }>;
  for (const t of tasks) {
    const status = fail(t.workflowInstanceId) ? 'FAILED' : 'COMPLETED';
    const r = await s.req('POST', '/api/tasks', {
      taskId: t.taskId,
      workflowInstanceId: t.workflowInstanceId,
      workerId: 'w1',
      status,
      outputData: { ok: status },
    });
    expect(r.status).toBeLessThan(300);
  }
  return tasks.length;
}

/** The changes one completed run makes, in order (a start, then one commit per report). */
const COMPLETED_RUN = [
  'baton:task:SCHEDULED a',
  'baton:workflow:RUNNING',
  'baton:task:COMPLETED a',
  'baton:task:SCHEDULED b',
  'baton:task:COMPLETED b',
  'baton:workflow:COMPLETED',
];
const FAILED_RUN = ['baton:task:SCHEDULED a', 'baton:workflow:RUNNING', 'baton:task:FAILED a', 'baton:workflow:FAILED'];

function describeChange(r: Received): string {
  return r.body.task ? `${r.body.event} ${r.body.task.referenceTaskName}` : r.body.event;
}

describe.each(storeKinds())('status listeners: webhooks (%s)', (kind) => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  let url: string;

  beforeAll(async () => {
    receiver = new WebhookReceiver(SECRET);
    const port = await receiver.start();
    url = `http://127.0.0.1:${port}/hook`;
    s = await startTestServer(kind, { env });
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('delivers every change of every run, signed, in order per run, none twice after dedup, to a receiver failing every other request', async () => {
    expect((await s.req('PUT', '/api/listeners/webhooks/ops', { url, secret: SECRET })).status).toBe(200);
    await define(s, 'lst_orders', { statusListener: { webhooks: ['ops'], events: true } });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const started = await s.req('POST', '/api/workflow/lst_orders', { n: i });
      expect(started.status).toBe(200);
      ids.push(started.text);
    }
    const failing = new Set(ids.slice(0, 2));
    await until(
      async () => {
        await work(s, 'lst_orders_a', (id) => failing.has(id));
        await work(s, 'lst_orders_b', () => false);
        const statuses = await Promise.all(
          ids.map(async (id) => (await s.req('GET', `/api/workflow/${id}?includeTasks=false`)).body.status as string),
        );
        return statuses;
      },
      (statuses) => statuses.every((x) => x === 'COMPLETED' || x === 'FAILED'),
    );
    const expectedTotal = 2 * FAILED_RUN.length + 4 * COMPLETED_RUN.length;
    await until(
      async () => receiver.accepted().length,
      (n) => n >= expectedTotal,
    );
    const pending = await until(
      async () => (await s.req('GET', '/api/listeners/deliveries?status=PENDING')).body as unknown[],
      (p) => p.length === 0,
    );
    expect(pending).toEqual([]);

    // Every request carried a valid signature, a delivery id and a recent timestamp.
    expect(receiver.requests.every((r) => r.signatureOk && r.deliveryId === r.body.deliveryId && r.event === r.body.event)).toBe(true);
    // Half the requests failed, so retries happened; after dedup each change arrived exactly once.
    expect(receiver.requests.filter((r) => r.status === 500).length).toBeGreaterThan(0);
    const accepted = receiver.accepted();
    expect(accepted).toHaveLength(expectedTotal);
    expect(new Set(accepted.map((r) => r.deliveryId)).size).toBe(expectedTotal);
    for (const id of ids) {
      const mine = accepted.filter((r) => r.body.workflow.workflowId === id);
      expect([id, mine.map(describeChange)]).toEqual([id, failing.has(id) ? FAILED_RUN : COMPLETED_RUN]);
      // In order: the seq of what arrived only grows, and no request of a run was sent before
      // the one ahead of it was accepted (retries included).
      const seqs = mine.map((r) => r.body.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const all = receiver.requests.filter((r) => r.body.workflow.workflowId === id);
      let acceptedUpTo = -1;
      for (const r of all) {
        expect(r.body.seq).toBeGreaterThanOrEqual(acceptedUpTo);
        if (r.status >= 200 && r.status < 300) acceptedUpTo = r.body.seq;
      }
    }
    // The same changes went to the event bus, as events handlers can listen to.
    const events = await until(
      async () =>
        (await s.req('GET', '/api/events?name=baton:workflow:FAILED&limit=100')).body as Array<{
          data: { workflow: { workflowId: string } };
        }>,
      (list) => list.length >= 2,
    );
    expect(new Set(events.map((e) => e.data.workflow.workflowId))).toEqual(failing);
    const delivered = (await s.req('GET', '/api/listeners/deliveries?status=DELIVERED&limit=1000')).body as Array<{ target: string }>;
    expect(delivered.filter((d) => d.target === 'webhook:ops')).toHaveLength(expectedTotal);
    expect(delivered.filter((d) => d.target === 'events')).toHaveLength(expectedTotal);
    const metrics = (await s.req('GET', '/metrics')).text;
    expect(metrics).toMatch(/baton_listener_deliveries_total\{target="webhook",outcome="failed"\} [1-9]/);
    expect(metrics).toMatch(new RegExp(`baton_listener_deliveries_total\\{target="webhook",outcome="delivered"\\} ${expectedTotal}\\b`));
  });

  it('writes nothing for runs without listeners, and a global webhook hears runs that enable theirs', async () => {
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'lst_quiet_a', retryCount: 0, responseTimeoutSeconds: 60 }]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'lst_quiet',
      version: 1,
      schemaVersion: 2,
      tasks: [{ name: 'lst_quiet_a', taskReferenceName: 'a', type: 'SIMPLE' }],
    });
    const quiet = (await s.req('POST', '/api/workflow/lst_quiet', {})).text;
    expect((await s.req('PUT', '/api/listeners/webhooks/all', { url, secret: SECRET, global: true })).status).toBe(200);
    await define(s, 'lst_global', { statusListener: { events: false } });
    const loud = (await s.req('POST', '/api/workflow/lst_global', {})).text;
    const forLoud = await until(
      async () =>
        (await s.req('GET', `/api/listeners/deliveries?workflowId=${loud}`)).body as Array<{
          target: string;
          event: string;
          status: string;
        }>,
      (list) => list.length >= 2 && list.every((d) => d.status === 'DELIVERED'),
    );
    // events: false, no webhooks of its own: only the global webhook.
    expect(new Set(forLoud.map((d) => d.target))).toEqual(new Set(['webhook:all']));
    expect(forLoud.map((d) => d.event).sort()).toEqual(['baton:task:SCHEDULED', 'baton:workflow:RUNNING']);
    // The quiet run started first and committed as much; neither it nor its task asked for listeners.
    expect((await s.req('GET', `/api/listeners/deliveries?workflowId=${quiet}`)).body).toEqual([]);
    expect((await s.req('DELETE', '/api/listeners/webhooks/all')).status).toBe(204);
  });
});

describe('webhook registration', () => {
  let s: TestServer;
  beforeAll(async () => {
    // No allow-list: the HTTP task's policy refuses loopback, private and metadata addresses.
    s = await startTestServer('sqlite', {
      env: { BATON_LISTENER_INTERVAL_MS: '50', BATON_WEBHOOK_BACKOFF_MS: '20', BATON_ALERT_INTERVAL_MS: '3600000' },
    });
  });
  afterAll(() => s?.close());

  it.each([
    ['http://169.254.169.254/latest/meta-data', '/url'],
    ['http://10.1.2.3/hook', '/url'],
    ['http://127.0.0.1:9/hook', '/url'],
    ['ftp://example.com/x', '/url'],
    ['not a url', '/url'],
    ['http://user:pw@example.com/', '/url'],
  ])('refuses %s with a problem at %s, and stores nothing', async (target, pointer) => {
    const res = await s.req('PUT', '/api/listeners/webhooks/bad', { url: target, secret: SECRET });
    expect(res.status).toBe(400);
    expect(
      res.body.errors?.map((e: { pointer: string }) => e.pointer) ?? res.body.validationErrors?.map((e: { path: string }) => e.path),
    ).toContain(pointer);
    expect((await s.req('GET', '/api/listeners/webhooks')).body).toEqual([]);
  });

  it('names the field of a malformed registration', async () => {
    const noSecret = await s.req('PUT', '/api/listeners/webhooks/x', { url: 'https://example.com/h' });
    expect(noSecret.status).toBe(400);
    expect(JSON.stringify(noSecret.body)).toContain('/secret');
    const shortSecret = await s.req('PUT', '/api/listeners/webhooks/x', { url: 'https://example.com/h', secret: 'short' });
    expect(shortSecret.status).toBe(400);
    const extra = await s.req('PUT', '/api/listeners/webhooks/x', { url: 'https://example.com/h', secret: SECRET, color: 'red' });
    expect(extra.status).toBe(400);
    const badName = await s.req('PUT', '/api/listeners/webhooks/%20bad', { url: 'https://example.com/h', secret: SECRET });
    expect(badName.status).toBe(400);
    expect((await s.req('DELETE', '/api/listeners/webhooks/nope')).status).toBe(404);
    expect((await s.req('GET', '/api/listeners/deliveries?status=WHATEVER')).status).toBe(400);
  });

  it('never shows a secret, in the list or the audit trail', async () => {
    expect((await s.req('PUT', '/api/listeners/webhooks/shown', { url: 'https://example.com/h', secret: SECRET })).status).toBe(200);
    const list = await s.req('GET', '/api/listeners/webhooks');
    expect(list.text).not.toContain(SECRET);
    expect(list.body[0]).toMatchObject({ name: 'shown', secretSet: true, active: true, global: false });
    const changes = await s.req('GET', '/api/listeners/changes');
    expect(changes.status).toBe(200);
    expect(changes.text).not.toContain(SECRET);
    expect(changes.body[0]).toMatchObject({ name: 'shown', before: null, after: { secretSet: true } });
  });

  it('checks a host name where it resolves: a name for a refused address is never connected to', async () => {
    // localhost is a name: accepted at registration, refused at each delivery by the pinned lookup.
    expect((await s.req('PUT', '/api/listeners/webhooks/local', { url: 'http://localhost:9/hook', secret: SECRET })).status).toBe(200);
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'lst_local_a', retryCount: 0, responseTimeoutSeconds: 60 }]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'lst_local',
      version: 1,
      schemaVersion: 2,
      workflowStatusListenerEnabled: true,
      statusListener: { webhooks: ['local'], events: false },
      tasks: [{ name: 'lst_local_a', taskReferenceName: 'a', type: 'SIMPLE' }],
    });
    const id = (await s.req('POST', '/api/workflow/lst_local', {})).text;
    const failed = await until(
      async () =>
        (await s.req('GET', `/api/listeners/deliveries?workflowId=${id}`)).body as Array<{
          attempts: number;
          lastError: string | null;
          status: string;
        }>,
      (list) => list.some((d) => d.attempts > 0),
    );
    const tried = failed.find((d) => d.attempts > 0);
    expect(tried?.status).toBe('PENDING');
    expect(tried?.lastError).toMatch(/refused|loopback/);
  });
});

describe('deliveries that cannot get through', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  let url: string;
  beforeAll(async () => {
    receiver = new WebhookReceiver(SECRET);
    receiver.alwaysFail = true;
    url = `http://127.0.0.1:${await receiver.start()}/hook`;
    s = await startTestServer('sqlite', { env: { ...env, BATON_WEBHOOK_MAX_ATTEMPTS: '3' } });
    await s.req('POST', '/api/metadata/workflow', {
      name: 'lst_down',
      version: 1,
      schemaVersion: 2,
      workflowStatusListenerEnabled: true,
      statusListener: { webhooks: ['down'], events: false },
      tasks: [{ name: 'n', taskReferenceName: 'n', type: 'NOOP' }],
    });
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('gives a delivery up after BATON_WEBHOOK_MAX_ATTEMPTS, visibly', async () => {
    expect((await s.req('PUT', '/api/listeners/webhooks/down', { url, secret: SECRET })).status).toBe(200);
    const id = (await s.req('POST', '/api/workflow/lst_down', {})).text;
    // The run ends in its first commit: one change, COMPLETED (a NOOP step completes at once).
    const dead = await until(
      async () =>
        (await s.req('GET', `/api/listeners/deliveries?workflowId=${id}`)).body as Array<{
          status: string;
          attempts: number;
          lastError: string;
        }>,
      (list) => list.length > 0 && list.every((d) => d.status === 'DEAD'),
    );
    expect(dead).toEqual([expect.objectContaining({ status: 'DEAD', attempts: 3, lastError: expect.stringContaining('HTTP 500') })]);
    expect(receiver.requests.filter((r) => r.body.workflow.workflowId === id)).toHaveLength(3);
    expect((await s.req('GET', '/metrics')).text).toMatch(/baton_listener_deliveries_total\{target="webhook",outcome="dead"\} 1\b/);
  });

  it('keeps deliveries of an inactive webhook waiting, in order, and sends them when it is active again', async () => {
    receiver.alwaysFail = false;
    receiver.failEveryOther = false;
    expect((await s.req('PUT', '/api/listeners/webhooks/down', { url, active: false })).status).toBe(200);
    const ids = [(await s.req('POST', '/api/workflow/lst_down', {})).text, (await s.req('POST', '/api/workflow/lst_down', {})).text];
    const waiting = await until(
      async () => (await s.req('GET', '/api/listeners/deliveries?status=PENDING')).body as Array<{ lastError: string | null }>,
      (list) => list.length === 2 && list.every((d) => (d.lastError ?? '').includes('inactive')),
    );
    expect(waiting).toHaveLength(2);
    const before = receiver.requests.length;
    // Secret left out: kept. Paused deliveries wait BATON_WEBHOOK_MAX_BACKOFF_MS before a look.
    expect((await s.req('PUT', '/api/listeners/webhooks/down', { url, active: true })).status).toBe(200);
    await until(
      async () =>
        receiver.requests
          .slice(before)
          .filter((r) => r.status === 200)
          .map((r) => r.body.workflow.workflowId),
      (got) => ids.every((id) => got.includes(id)),
    );
    expect(receiver.requests.slice(before).every((r) => r.signatureOk)).toBe(true);
  });
});

describe('runs held by flow control', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = new WebhookReceiver(SECRET);
    receiver.failEveryOther = false;
    const url = `http://127.0.0.1:${await receiver.start()}/hook`;
    s = await startTestServer('sqlite', { env });
    await s.req('PUT', '/api/listeners/webhooks/held', { url, secret: SECRET });
    await s.req('POST', '/api/metadata/taskdefs', [
      { name: 'lst_held_a', retryCount: 0, responseTimeoutSeconds: 60, taskStatusListenerEnabled: true },
    ]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'lst_held',
      version: 1,
      schemaVersion: 2,
      workflowStatusListenerEnabled: true,
      statusListener: { webhooks: ['held'], events: false },
      flowControl: { concurrency: [{ key: '${workflow.input.customer}', limit: 1 }] },
      tasks: [{ name: 'lst_held_a', taskReferenceName: 'a', type: 'SIMPLE' }],
    });
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('announce RUNNING while they wait their turn, and their steps once let in', async () => {
    const first = (await s.req('POST', '/api/workflow/lst_held', { customer: 'c1' })).text;
    const second = (await s.req('POST', '/api/workflow/lst_held', { customer: 'c1' })).text;
    const events = (id: string) =>
      receiver
        .accepted()
        .filter((r) => r.body.workflow.workflowId === id)
        .map((r) => (r.body.task ? `${r.body.event} ${r.body.task.referenceTaskName}` : r.body.event));
    await until(
      async () => events(second),
      (e) => e.length === 1,
    );
    expect(events(second)).toEqual(['baton:workflow:RUNNING']);
    const [task] = (await s.req('GET', '/api/tasks/poll/batch/lst_held_a?count=1&timeout=1000&workerid=w')).body as Array<{
      taskId: string;
      workflowInstanceId: string;
    }>;
    expect(task?.workflowInstanceId).toBe(first);
    await s.req('POST', '/api/tasks', {
      taskId: task?.taskId,
      workflowInstanceId: first,
      workerId: 'w',
      status: 'COMPLETED',
      outputData: {},
    });
    await until(
      async () => events(second),
      (e) => e.length === 2,
    );
    expect(events(second)).toEqual(['baton:workflow:RUNNING', 'baton:task:SCHEDULED a']);
    // Every run of a flow-controlled definition is stored first, then let in: RUNNING comes first.
    await until(
      async () => events(first),
      (e) => e.length === 4,
    );
    expect(events(first)).toEqual([
      'baton:workflow:RUNNING',
      'baton:task:SCHEDULED a',
      'baton:task:COMPLETED a',
      'baton:workflow:COMPLETED',
    ]);
  });
});
