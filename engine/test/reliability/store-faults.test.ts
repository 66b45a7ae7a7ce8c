import { waitFor } from '../helpers/engine-process';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';
import {
  childFlow,
  duplicateEffects,
  expectedOutput,
  mainFlow,
  recordingWorkers,
  runReport,
  StatusLog,
  taskDefs,
  type RunReport,
  type SideEffect,
} from './support';

const WORKFLOWS = 30;

/**
 * Store fault injection (docs/reliability.md, "Store faults"): 10% of the engine's store calls
 * fail with the store's transient error (half before the call, half after it ran: a lost
 * acknowledgement), some are delayed, and on MongoDB 5% of the driver's writes fail between the
 * writes of one operation. Every workflow must still complete, no step completes twice, side
 * effects repeat only after a lapsed lease, and clients see 503 retryable, never a 500.
 */
describe.each(storeKinds())('store faults, 10%% of calls (%s)', (kind) => {
  let s: TestServer;
  const statuses = new StatusLog();
  beforeAll(async () => {
    s = await startTestServer(kind, {
      env: {
        BATON_SWEEP_INTERVAL_MS: '100',
        BATON_POLL_RECHECK_MS: '100',
        BATON_TEST_STORE_FAULTS: 'fail=0.1,delay=0.1,delayMs=20,write=0.05,seed=14',
      },
    });
    statuses.attach(s.running.server);
  });
  afterAll(async () => {
    await s.close();
  });

  /** A client that retries what the engine says to retry, and nothing else. */
  async function retrying(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
    for (let tries = 0; ; tries++) {
      const r = await s.req(method, path, body);
      if (r.status !== 503) return r;
      expect(r.body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE', retryable: true });
      if (tries > 50) throw new Error(`${method} ${path}: still 503 after ${tries} tries`);
      await new Promise((r2) => setTimeout(r2, 20));
    }
  }

  it('every workflow completes, nothing completes twice, clients see only retryable 503s', async () => {
    expect((await retrying('POST', '/api/metadata/taskdefs', taskDefs(2))).status).toBe(200);
    expect((await retrying('PUT', '/api/metadata/workflow', [childFlow, mainFlow])).status).toBe(200);

    const effects: SideEffect[] = [];
    const workers = recordingWorkers([s.url], effects);
    const started: string[] = [];
    try {
      await Promise.all(workers.map((w) => w.start()));
      for (let i = 0; i < WORKFLOWS; i++) {
        const r = await retrying('POST', '/api/workflow/rel_flow', { n: i * 10, speed: i % 2 ? 'express' : 'standard' });
        expect(r.status).toBe(200);
        started.push(r.text);
      }
      // Every run of either definition, including any a lost acknowledgement created unseen.
      const all = async (name: string): Promise<Array<{ workflowId: string; status: string }>> =>
        (await retrying('GET', `/api/workflow/search?query=${encodeURIComponent(`workflowType IN (${name})`)}&size=1000`)).body.results;
      await waitFor(
        'every run to end',
        async () => {
          const runs = [...(await all('rel_flow')), ...(await all('rel_child'))];
          return runs.length >= WORKFLOWS * 2 && runs.every((r) => r.status !== 'RUNNING');
        },
        240_000,
        500,
      ).catch(() => undefined); // the checks below say which runs did not end, and how they stand
      const runs = new Map<string, RunReport>();
      for (const { workflowId } of [...(await all('rel_flow')), ...(await all('rel_child'))]) {
        const wf = (await retrying('GET', `/api/workflow/${workflowId}?includeTasks=true`)).body;
        runs.set(workflowId, runReport(wf));
      }
      const notDone = [...runs.values()].filter((r) => r.status !== 'COMPLETED');
      expect(
        notDone.map((r) => `${r.workflowId} ${r.status}: ${r.tasks.map((t) => `${t.ref}#${t.retryCount}:${t.status}`).join(' ')}`),
      ).toEqual([]);
      for (const id of started) {
        expect(runs.get(id)?.status).toBe('COMPLETED');
      }
      expect([...runs.values()].flatMap((r) => r.completedTwice.map((ref) => `${r.workflowId}/${ref}`))).toEqual([]);
      expect(duplicateEffects(effects, runs).unexplained).toEqual([]);
      for (const [i, id] of started.entries()) {
        const wf = (await retrying('GET', `/api/workflow/${id}`)).body;
        expect(wf.output).toMatchObject(expectedOutput(i * 10, i % 2 ? 'express' : 'standard'));
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    // The faults happened, and none reached a client as anything but a retryable 503.
    const faults = s.running.faults?.counts;
    expect(faults && faults.failedBefore + faults.failedAfter).toBeGreaterThan(50);
    if (kind === 'mongodb') expect(faults?.writeFaults).toBeGreaterThan(10);
    expect(statuses.count(503)).toBeGreaterThan(0);
    expect(statuses.serverErrors).toEqual([]);
  }, 300_000);
});
