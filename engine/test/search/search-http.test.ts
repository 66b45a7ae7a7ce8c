import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/**
 * Field types of Conductor's WorkflowSummary and TaskSummary (Conductor OSS 3.32.3's OpenAPI
 * document, the models its Java client's search() deserialises): Baton's items must use exactly
 * these types for every field they share, or a client fails to read them.
 */
const conductorWorkflowSummary: Record<string, string> = {
  workflowType: 'string',
  version: 'number',
  workflowId: 'string',
  correlationId: 'string',
  startTime: 'string',
  updateTime: 'string',
  endTime: 'string',
  status: 'string',
  input: 'string',
  output: 'string',
  reasonForIncompletion: 'string',
  executionTime: 'number',
  event: 'string',
  failedReferenceTaskNames: 'string',
  priority: 'number',
  parentWorkflowId: 'string',
  createdBy: 'string',
};
const conductorTaskSummary: Record<string, string> = {
  workflowId: 'string',
  workflowType: 'string',
  correlationId: 'string',
  scheduledTime: 'string',
  startTime: 'string',
  updateTime: 'string',
  endTime: 'string',
  status: 'string',
  reasonForIncompletion: 'string',
  executionTime: 'number',
  queueWaitTime: 'number',
  taskDefName: 'string',
  taskType: 'string',
  input: 'string',
  output: 'string',
  taskId: 'string',
  workflowPriority: 'number',
  domain: 'string',
};
const BATON_EXTRAS = new Set(['createTime', 'referenceTaskName', 'retryCount', 'workerId']);

describe.each(storeKinds())('search over HTTP (%s)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'greet', tasks: [{ name: 'hello', taskReferenceName: 'h' }] },
      { name: 'other', tasks: [{ name: 'hello', taskReferenceName: 'h' }] },
    ]);
    for (let i = 0; i < 3; i++) await s.req('POST', '/api/workflow/greet?correlationId=c-' + i, { who: i === 1 ? 'Ada Lovelace' : 'Bob' });
    await s.req('POST', '/api/workflow/other', { who: 'Ada' });
    const [t] = (await s.req('GET', '/api/tasks/poll/batch/hello?workerid=w&count=1&timeout=0')).body as any[];
    await s.req('POST', '/api/tasks', {
      taskId: t.taskId,
      workerId: 'w',
      attemptToken: t.attemptToken,
      status: 'FAILED_WITH_TERMINAL_ERROR',
      reasonForIncompletion: 'no',
    });
  });
  afterAll(() => s.close());

  const get = (path: string) => s.req('GET', path);
  const q = (query: string) => encodeURIComponent(query);

  it("answers Conductor's WorkflowSummary items", async () => {
    const r = await get(`/api/workflow/search?query=${q('workflowType IN (greet) AND status IN (RUNNING, FAILED)')}&size=10`);
    expect(r.status).toBe(200);
    expect(r.body.totalHits).toBe(3);
    for (const item of r.body.results) {
      for (const [k, v] of Object.entries(item)) {
        if (BATON_EXTRAS.has(k)) continue;
        expect({ k, type: conductorWorkflowSummary[k] }).toEqual({ k, type: typeof v });
      }
      expect(new Date(item.startTime).toISOString()).toBe(item.startTime);
      expect(JSON.parse(item.input)).toHaveProperty('who');
    }
    expect(r.body.results.map((w: any) => w.correlationId)).toEqual(['c-2', 'c-1', 'c-0']);
  });

  it('search-v2 answers whole workflows; freeText and sort apply', async () => {
    const r = await get(`/api/workflow/search-v2?freeText=ada&sort=workflowType:DESC`);
    expect(r.body.results.map((w: any) => [w.workflowName, w.input.who])).toEqual([
      ['other', 'Ada'],
      ['greet', 'Ada Lovelace'],
    ]);
    // Baton's first parameters still work.
    expect((await get('/api/workflow/search?workflowName=greet&status=FAILED')).body.totalHits).toBe(1);
  });

  it("answers Conductor's TaskSummary items, and whole tasks from search-v2", async () => {
    const r = await get(`/api/tasks/search?query=${q('taskType = hello AND status = FAILED_WITH_TERMINAL_ERROR')}`);
    expect(r.body.totalHits).toBe(1);
    for (const [k, v] of Object.entries(r.body.results[0])) {
      if (BATON_EXTRAS.has(k)) continue;
      expect({ k, type: conductorTaskSummary[k] }).toEqual({ k, type: typeof v });
    }
    expect(r.body.results[0]).toMatchObject({ reasonForIncompletion: 'no', workerId: 'w' });
    const v2 = await get(`/api/tasks/search-v2?query=${q('status = SCHEDULED')}&sort=scheduledTime:ASC`);
    expect(v2.body.totalHits).toBe(3);
    expect(v2.body.results[0]).toMatchObject({ taskType: 'hello', status: 'SCHEDULED' });
  });

  it('a query that does not parse is a 400 naming the position; so are bad sorts and pages', async () => {
    const bad = await get(`/api/workflow/search?query=${q('status IN (FAILED')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/query/query', message: "at position 17: missing ')' to close the IN list" }]);
    expect(bad.body.message).toContain('at position 17');
    expect((await get(`/api/tasks/search?query=${q('colour = red')}`)).body.errors[0].message).toContain("unknown task field 'colour'");
    expect((await get('/api/workflow/search?sort=nope:DESC')).status).toBe(400);
    expect((await get('/api/workflow/search?sort=startTime:SIDEWAYS')).status).toBe(400);
    expect((await get('/api/workflow/search?size=5000')).status).toBe(400);
    expect((await get('/api/workflow/search?start=-1')).status).toBe(400);
  });
});
