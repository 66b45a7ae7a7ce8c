import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { MAX_ENGINE_RUNS } from '../../src/runtime/deadlines';
import { ManualClock } from '../../src/runtime/clock';
import { Engine, defaultEngineOptions } from '../../src/runtime/engine';
import { Sweeper } from '../../src/runtime/sweeper';
import { createStore } from '../../src/server';
import type { Store } from '../../src/store/port';
import { eventually } from '../helpers/eventually';
import { EngineProcess, call, freePort, waitFor } from '../helpers/engine-process';
import { startTestServer, storeKinds, testEnv, type TestServer } from '../helpers/server';

/** A local HTTP target that holds every request open until told; counts them. */
class HangingTarget {
  readonly server: http.Server;
  readonly open = new Set<http.ServerResponse>();
  received = 0;
  closed = 0;
  answerNext = false;
  constructor() {
    this.server = http.createServer((req, res) => {
      this.received++;
      req.resume();
      if (this.answerNext) {
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
        return;
      }
      this.open.add(res);
      res.on('close', () => {
        this.open.delete(res);
        this.closed++;
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const httpFlow = (name: string, uri: string) => ({
  name,
  version: 1,
  tasks: [
    {
      name: 'call',
      taskReferenceName: 'call',
      type: 'HTTP',
      inputParameters: { http_request: { uri, method: 'POST', body: { secret: 'order-42' }, headers: { Authorization: 'Bearer s3cret' } } },
    },
  ],
});

describe.each(storeKinds())('engine queues are the engine’s (%s)', (kind) => {
  let s: TestServer;
  let target: HangingTarget;
  let base = '';
  beforeEach(async () => {
    target = new HangingTarget();
    base = await target.listen();
    s = await startTestServer(kind, { env: { BATON_HTTP_TASK_ALLOW: '127.0.0.1', BATON_ENGINE_TASK_LEASE_MS: '3000' } });
  });
  afterEach(async () => {
    await s.close();
    await target.close();
  });

  const inFlight = async (name: string): Promise<{ workflowId: string; task: any }> => {
    expect((await s.req('PUT', '/api/metadata/workflow', [httpFlow(name, `${base}/hook`)])).status).toBe(200);
    const workflowId = (await s.req('POST', `/api/workflow/${name}`, {})).text;
    const task = await eventually(
      async () => (await s.req('GET', `/api/workflow/${workflowId}`)).body.tasks[0],
      (t) => t?.status === 'IN_PROGRESS',
      10_000,
    );
    await eventually(
      async () => target.received,
      (n) => n >= 1,
      10_000,
    );
    return { workflowId, task };
  };

  it('refuses to hand out HTTP and JSON_JQ_TRANSFORM tasks over REST, saying why', async () => {
    for (const path of [
      '/api/tasks/poll/batch/HTTP?timeout=0',
      '/api/tasks/poll/HTTP',
      '/api/tasks/poll/batch/JSON_JQ_TRANSFORM',
      '/api/tasks/poll/batch/%48TTP',
    ]) {
      const r = await s.req('GET', path);
      expect([path, r.status]).toEqual([path, 403]);
      expect(r.body.code).toBe('ENGINE_QUEUE');
      expect(r.body.detail).toContain('run by the engine itself');
    }
  });

  it('refuses a report or a completion by reference of an engine-run task, and the task goes on', async () => {
    const { workflowId, task } = await inFlight('forge_flow');
    expect(task.inputData.http_request.headers.Authorization).toBe('Bearer s3cret');
    const forged = await s.req('POST', '/api/tasks', { taskId: task.taskId, status: 'COMPLETED', outputData: { forged: true } });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'ENGINE_QUEUE' });
    expect(forged.body.detail).toContain('HTTP task run by the engine itself');
    const byRef = await s.req('POST', `/api/tasks/${workflowId}/call/COMPLETED`, { forged: true });
    expect(byRef.status).toBe(403);
    const wf = (await s.req('GET', `/api/workflow/${workflowId}`)).body;
    expect(wf.status).toBe('RUNNING');
    expect(wf.tasks[0]).toMatchObject({ status: 'IN_PROGRESS', outputData: {} });
  });

  it('gives an engine-run attempt a short lease, renewed while it runs, and aborts its request when the workflow is terminated', async () => {
    const { workflowId, task } = await inFlight('lease_flow');
    expect(task.leaseUntil - task.startTime).toBeLessThanOrEqual(3000);
    // Renewed every third of the lease: still ours long after the first lease would have lapsed.
    const renewed = await eventually(
      async () => (await s.req('GET', `/api/tasks/${task.taskId}`)).body,
      (t) => t.leaseUntil > task.leaseUntil + 1000,
      15_000,
    );
    expect(renewed).toMatchObject({ status: 'IN_PROGRESS', attemptToken: task.attemptToken });
    expect(target.open.size).toBe(1);
    expect((await s.req('DELETE', `/api/workflow/${workflowId}?reason=stop`)).status).toBe(200);
    // The request in flight is aborted at once: the target sees its connection close.
    expect(
      await eventually(
        async () => target.closed,
        (n) => n >= 1,
        5000,
      ),
    ).toBe(1);
    expect((await s.req('GET', `/api/tasks/${task.taskId}`)).body.status).toBe('CANCELED');
  });
});

describe.each(storeKinds())('an engine-run attempt whose engine stopped (%s)', (kind) => {
  let store: Store;
  let engine: Engine;
  let sweeper: Sweeper;
  const clock = new ManualClock();
  const LEASE = 10_000;
  beforeEach(async () => {
    const log = pino({ level: 'silent' });
    store = await createStore(loadConfig([], testEnv(kind)), log);
    await store.init();
    // No runners: this engine only claims, as a crashed one did, and sweeps.
    engine = new Engine(store, clock, log, { ...defaultEngineOptions, engineTaskLeaseMs: LEASE });
    await engine.init();
    sweeper = new Sweeper(engine, log, { intervalMs: 60_000, unappliedGraceMs: 2000, batch: 100 });
    await store.putWorkflowDef(
      {
        ...httpFlow('lost_flow', 'http://127.0.0.1:9/x'),
        schemaVersion: 2,
        restartable: true,
        timeoutPolicy: 'ALERT_ONLY',
        timeoutSeconds: 0,
      } as never,
      true,
    );
  });
  afterEach(async () => {
    // Its script threads would keep jest from exiting.
    await engine.close();
    await store.close();
  });

  it(`runs again within one lease, whatever the retry policy, then gives up after ${MAX_ENGINE_RUNS} runs`, async () => {
    const workflowId = await engine.startWorkflow({ name: 'lost_flow' });
    const [first] = await engine.poll('HTTP', 'baton-http-crashed', 1, 0);
    expect(first?.leaseUntil).toBe(clock.now() + LEASE);
    for (let run = 1; run < MAX_ENGINE_RUNS; run++) {
      clock.advance(LEASE + 1);
      await sweeper.sweep();
      const back = await store.getTask(first!.taskId);
      expect(back).toMatchObject({ status: 'SCHEDULED', attemptToken: null, pollCount: run });
      const [again] = await engine.poll('HTTP', `baton-http-crashed-${run}`, 1, 0);
      expect(again?.taskId).toBe(first!.taskId);
    }
    clock.advance(LEASE + 1);
    await sweeper.sweep();
    const gaveUp = await store.getTask(first!.taskId);
    expect(gaveUp?.status).toBe('TIMED_OUT');
    expect(gaveUp?.reasonForIncompletion).toContain(`stopped ${MAX_ENGINE_RUNS} times`);
    expect((await store.getWorkflow(workflowId))?.status).toBe('TIMED_OUT');
  });
});

describe.each(storeKinds())('the engine killed during an HTTP task (%s)', (kind) => {
  it('runs the attempt in flight again soon after the restart, without a task definition (no retries)', async () => {
    const target = new HangingTarget();
    const base = await target.listen();
    const port = await freePort();
    const engine = new EngineProcess(
      port,
      testEnv(kind, { BATON_HTTP_TASK_ALLOW: '127.0.0.1', BATON_ENGINE_TASK_LEASE_MS: '2000', BATON_SWEEP_INTERVAL_MS: '200' }),
    );
    await engine.start();
    try {
      await call(engine.url, 'PUT', '/api/metadata/workflow', [httpFlow('crash_http', `${base}/slow`)]);
      const id = await call(engine.url, 'POST', '/api/workflow/crash_http', {});
      await waitFor('the request to reach the target', async () => target.received >= 1, 30_000, 50);
      await engine.kill('SIGKILL');
      target.answerNext = true;
      await engine.start();
      const wf = await waitFor(
        'the workflow to complete after the restart',
        async () => {
          const w = await call(engine.url, 'GET', `/api/workflow/${id}`);
          return w.status !== 'RUNNING' ? w : undefined;
        },
        60_000,
        200,
      );
      expect(wf.status).toBe('COMPLETED');
      expect(target.received).toBe(2);
      // The same attempt ran again: one task, the same id, two runs.
      expect(wf.tasks).toHaveLength(1);
      expect(wf.tasks[0]).toMatchObject({ status: 'COMPLETED', retryCount: 0, pollCount: 2 });
    } finally {
      await engine.kill('SIGTERM');
      await target.close();
    }
  }, 120_000);
});
