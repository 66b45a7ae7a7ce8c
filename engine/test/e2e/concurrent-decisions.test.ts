import { eventually } from '../helpers/eventually';
import { startTestServer, uniqueDbName, type TestServer } from '../helpers/server';

const BRANCHES = 120;

/**
 * Two engines deciding one workflow at the same time (invariants 7 and 10): the branches of one
 * dynamic fork are reported through both engines at once, so their decisions race on the
 * workflow's revision; losers decide again, and nothing a losing decision scheduled may run.
 */
describe('two engines deciding one workflow concurrently (MongoDB)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const db = uniqueDbName('baton_race');
    a = await startTestServer('mongodb', { env: { BATON_MONGODB_DB: db, BATON_POLL_RECHECK_MS: '50' } });
    b = await startTestServer('mongodb', { env: { BATON_MONGODB_DB: db, BATON_POLL_RECHECK_MS: '50' } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it(`completes a ${BRANCHES}-branch fork whose branches are reported through both engines at once, each branch once`, async () => {
    const put = await a.req('PUT', '/api/metadata/workflow', [
      {
        name: 'raced',
        version: 1,
        tasks: [
          {
            name: 'fan',
            taskReferenceName: 'fan',
            type: 'FORK_JOIN_DYNAMIC',
            inputParameters: { forkTaskName: 'branch', forkTaskInputs: '${workflow.input.items}' },
          },
          { name: 'join', taskReferenceName: 'join', type: 'JOIN' },
          { name: 'after', taskReferenceName: 'after', type: 'SIMPLE', inputParameters: { all: '${join.output}' } },
        ],
      },
    ]);
    expect(put.status).toBe(200);
    await a.req('POST', '/api/metadata/taskdefs', [{ name: 'branch', retryCount: 0, responseTimeoutSeconds: 60 }]);
    const id = (await a.req('POST', '/api/workflow/raced', { items: Array.from({ length: BRANCHES }, (_, i) => ({ i })) })).text;

    let reported = 0;
    while (reported < BRANCHES) {
      // Claims through one engine, reports through both, all in flight together.
      const claimed = (await a.req('GET', `/api/tasks/poll/batch/branch?workerid=w&count=100&timeout=2000`)).body as any[];
      expect(claimed.length).toBeGreaterThan(0);
      const answers = await Promise.all(
        claimed.map((t, k) =>
          (k % 2 ? b : a).req('POST', '/api/tasks', {
            taskId: t.taskId,
            workerId: 'w',
            attemptToken: t.attemptToken,
            status: 'COMPLETED',
            outputData: { i: t.inputData.i },
          }),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual(claimed.map(() => 200));
      reported += claimed.length;
    }
    const wf = (
      await eventually(
        () => a.req('GET', `/api/workflow/${id}`),
        (r) => r.body.tasks?.some((t: any) => t.referenceTaskName === 'after'),
        20_000,
      )
    ).body;
    const join = wf.tasks.find((t: any) => t.referenceTaskName === 'join');
    expect(join.status).toBe('COMPLETED');
    expect(Object.keys(join.outputData)).toHaveLength(BRANCHES);
    const branches = wf.tasks.filter((t: any) => t.taskDefName === 'branch');
    expect(branches).toHaveLength(BRANCHES);
    expect(branches.every((t: any) => t.status === 'COMPLETED')).toBe(true);
    expect(new Set(branches.map((t: any) => t.referenceTaskName)).size).toBe(BRANCHES);
    // Exactly one open attempt of the step after the JOIN, whichever engine's decision won.
    expect(wf.tasks.filter((t: any) => t.referenceTaskName === 'after')).toHaveLength(1);
  }, 120_000);
});
