import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

const examples = join(__dirname, '../../../definitions/examples');
const orderTaskDefs = JSON.parse(readFileSync(join(examples, 'order-taskdefs.json'), 'utf8')) as Array<{ name: string }>;
const orderFlow = JSON.parse(readFileSync(join(examples, 'order-flow.json'), 'utf8')) as { name: string };

describe.each(storeKinds())('REST API over HTTP (%s)', (kind) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer(kind);
  });
  afterEach(async () => {
    await s.close();
  });

  const registerOrderFlow = async (): Promise<void> => {
    expect((await s.req('POST', '/api/metadata/taskdefs', orderTaskDefs)).status).toBe(200);
    expect((await s.req('POST', '/api/metadata/workflow', orderFlow)).status).toBe(200);
  };

  describe('metadata', () => {
    it('registers, reads and versions definitions', async () => {
      await registerOrderFlow();
      const td = await s.req('GET', '/api/metadata/taskdefs/validate_order');
      expect(td.status).toBe(200);
      expect(td.body.name).toBe('validate_order');
      expect((await s.req('GET', '/api/metadata/taskdefs')).body.length).toBe(orderTaskDefs.length);
      const dup = await s.req('POST', '/api/metadata/workflow', orderFlow);
      expect(dup.status).toBe(409);
      expect(dup.type).toContain('application/problem+json');
      expect((await s.req('POST', '/api/metadata/workflow', { ...orderFlow, version: 2, description: 'v2' })).status).toBe(200);
      expect((await s.req('GET', `/api/metadata/workflow/${orderFlow.name}`)).body.version).toBe(2);
      expect((await s.req('GET', `/api/metadata/workflow/${orderFlow.name}?version=1`)).body.version).toBe(1);
      expect((await s.req('PUT', '/api/metadata/workflow', [{ ...orderFlow, version: 2, description: 'v2b' }])).status).toBe(200);
      expect((await s.req('GET', `/api/metadata/workflow/${orderFlow.name}`)).body.description).toBe('v2b');
      expect((await s.req('DELETE', `/api/metadata/workflow/${orderFlow.name}/2`)).status).toBe(200);
      expect((await s.req('GET', `/api/metadata/workflow/${orderFlow.name}`)).body.version).toBe(1);
      expect((await s.req('GET', '/api/metadata/workflow/nope')).status).toBe(404);
    });

    it('accepts YAML definitions', async () => {
      const yaml = `name: hello_task\nretryCount: 2\nresponseTimeoutSeconds: 10\n`;
      const r = await s.req('PUT', '/api/metadata/taskdefs', yaml, { 'content-type': 'application/yaml' });
      expect(r.status).toBe(200);
      expect((await s.req('GET', '/api/metadata/taskdefs/hello_task')).body.retryCount).toBe(2);
      const wf = `name: hello\nversion: 1\ntasks:\n  - name: hello_task\n    taskReferenceName: hi\n    inputParameters:\n      who: \${workflow.input.who}\n`;
      expect((await s.req('POST', '/api/metadata/workflow', wf, { 'content-type': 'application/yaml' })).status).toBe(200);
      expect((await s.req('GET', '/api/metadata/workflow/hello')).body.tasks[0].type).toBe('SIMPLE');
    });

    it('rejects a bad workflow definition with every problem and its pointer, and stores nothing', async () => {
      await s.req('POST', '/api/metadata/taskdefs', orderTaskDefs);
      const bad = {
        name: 'broken',
        tasks: [
          { name: 'validate_order', taskReferenceName: 'v', type: 'SIMPLE' },
          { name: 'validate_order', taskReferenceName: 'v', type: 'SIMPLE' },
          { name: 'calculate_tax', taskReferenceName: 't', type: 'NOT_A_TYPE' },
          { name: 'unregistered_task', taskReferenceName: 'u', inputParameters: { x: '${ghost.output.y}' } },
        ],
      };
      const r = await s.req('POST', '/api/metadata/workflow', bad);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      const pointers = (r.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/tasks/1/taskReferenceName', '/tasks/2/type', '/tasks/3/inputParameters/x']));
      expect(pointers.some((p) => p.startsWith('/tasks/3'))).toBe(true);
      expect((await s.req('GET', '/api/metadata/workflow/broken')).status).toBe(404);
    });

    it('records task definition changes with who and before/after', async () => {
      await s.req('PUT', '/api/metadata/taskdefs', { name: 'p', retryCount: 1 }, { 'x-baton-user': 'ops-alice' });
      await s.req('PUT', '/api/metadata/taskdefs', { name: 'p', retryCount: 5 }, { 'x-baton-user': 'ops-bob' });
      const h = await s.req('GET', '/api/metadata/taskdefs/p/changes');
      expect(h.body.map((c: any) => [c.changedBy, c.before?.retryCount ?? null, c.after.retryCount])).toEqual([
        ['ops-bob', 1, 5],
        ['ops-alice', null, 1],
      ]);
    });
  });

  describe('malformed requests get 4xx problem+json and change nothing', () => {
    const cases: Array<[string, string, string, unknown, number, string?]> = [
      ['malformed JSON', 'POST', '/api/metadata/taskdefs', '{"name": ', 400],
      ['task def without name', 'POST', '/api/metadata/taskdefs', [{ retryCount: 1 }], 400, '/0/name'],
      ['negative retryCount', 'PUT', '/api/metadata/taskdefs', { name: 'x', retryCount: -1 }, 400, '/retryCount'],
      ['start unknown workflow', 'POST', '/api/workflow/nope', {}, 404],
      ['start with array input', 'POST', '/api/workflow/nope', [1, 2], 400],
      ['StartWorkflowRequest without name', 'POST', '/api/workflow', { input: {} }, 400, '/name'],
      ['priority out of range', 'POST', '/api/workflow', { name: 'x', priority: 500 }, 400, '/priority'],
      ['report without taskId', 'POST', '/api/tasks', { status: 'COMPLETED' }, 400, '/taskId'],
      ['report with bad status', 'POST', '/api/tasks', { taskId: 't', status: 'DONE' }, 400, '/status'],
      ['report unknown task', 'POST', '/api/tasks', { taskId: 'nope', status: 'COMPLETED' }, 404],
      ['poll with bad count', 'GET', '/api/tasks/poll/batch/x?count=abc', undefined, 400, '/query/count'],
      ['get unknown workflow', 'GET', '/api/workflow/nope', undefined, 404],
      ['terminate unknown workflow', 'DELETE', '/api/workflow/nope', undefined, 404],
      ['unknown route', 'GET', '/api/nothing', undefined, 404],
      ['bad YAML', 'PUT', '/api/metadata/taskdefs', 'name: [unclosed', 400],
    ];
    it.each(cases.map(([name, method, path, body, status, pointer]) => ({ name, method, path, body, status, pointer })))(
      '$name',
      async ({ name: _n, method, path, body, status, pointer }) => {
        const headers: Record<string, string> = _n === 'bad YAML' ? { 'content-type': 'application/yaml' } : {};
        const r = await s.req(method, path, body, headers);
        expect(r.status).toBe(status);
        expect(r.type).toContain('application/problem+json');
        expect(r.body.status).toBe(status);
        expect(typeof r.body.detail).toBe('string');
        if (pointer) expect(r.body.errors.map((e: any) => e.pointer)).toContain(pointer);
        expect((await s.req('GET', '/api/metadata/taskdefs')).body).toEqual([]);
      },
    );
  });

  describe('workflow execution protocol', () => {
    it('runs the order flow through poll and report, resolving inputs and outputs', async () => {
      await registerOrderFlow();
      const start = await s.req('POST', '/api/workflow', {
        name: orderFlow.name,
        input: { order: { id: 'o-1', items: [{ sku: 'a', qty: 2, price: 10 }] } },
        correlationId: 'order-o-1',
      });
      expect(start.status).toBe(200);
      const id = start.text;
      const wf0 = await s.req('GET', `/api/workflow/${id}`);
      expect(wf0.body.status).toBe('RUNNING');
      expect(wf0.body.correlationId).toBe('order-o-1');
      expect(wf0.body.tasks.map((t: any) => t.referenceTaskName)).toHaveLength(1);
      let steps = 0;
      for (;;) {
        const wf = (await s.req('GET', `/api/workflow/${id}`)).body;
        if (wf.status !== 'RUNNING') break;
        const open = wf.tasks.find((t: any) => t.status === 'SCHEDULED');
        const polled = await s.req('GET', `/api/tasks/poll/batch/${open.taskType}?workerid=test&count=5&timeout=1000`);
        expect(polled.status).toBe(200);
        expect(polled.body).toHaveLength(1);
        const task = polled.body[0];
        expect(task.attemptToken).toEqual(expect.any(String));
        expect(task.responseTimeoutSeconds).toBeGreaterThan(0);
        const rep = await s.req('POST', '/api/tasks', {
          taskId: task.taskId,
          workflowInstanceId: id,
          workerId: 'test',
          attemptToken: task.attemptToken,
          status: 'COMPLETED',
          outputData: { step: task.referenceTaskName, valid: true, tax: 2, total: 22, invoiceId: 'inv-1' },
        });
        expect(rep.status).toBe(200);
        expect(rep.text).toBe(task.taskId);
        steps++;
        expect(steps).toBeLessThan(20);
      }
      const done = (await s.req('GET', `/api/workflow/${id}`)).body;
      expect(done.status).toBe('COMPLETED');
      expect(steps).toBe(done.tasks.length);
      expect(done.tasks.every((t: any) => t.status === 'COMPLETED')).toBe(true);
      expect(Object.keys(done.output).length).toBeGreaterThan(0);
      const search = await s.req('GET', `/api/workflow/search?correlationId=order-o-1`);
      expect(search.body.results.map((w: any) => w.workflowId)).toEqual([id]);
    });

    it('answers an empty batch poll after its timeout, and 204 for an empty single poll', async () => {
      const t0 = Date.now();
      const r = await s.req('GET', '/api/tasks/poll/batch/nothing?count=3&timeout=300');
      expect(r.status).toBe(200);
      expect(r.body).toEqual([]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect((await s.req('GET', '/api/tasks/poll/nothing')).status).toBe(204);
    });

    it('wakes a parked long poll as soon as a task of its type is scheduled', async () => {
      await s.req('POST', '/api/metadata/taskdefs', [{ name: 'wake_me', responseTimeoutSeconds: 30 }]);
      await s.req('POST', '/api/metadata/workflow', { name: 'w', tasks: [{ name: 'wake_me', taskReferenceName: 'a' }] });
      const poll = s.req('GET', '/api/tasks/poll/batch/wake_me?count=1&timeout=10000');
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      await s.req('POST', '/api/workflow/w', {});
      const got = await poll;
      expect(got.body).toHaveLength(1);
      // Informational only: the wake-up does not wait for a re-check interval.
      expect(Date.now() - t0).toBeLessThan(5000);
    });

    it('rejects a late report from a superseded attempt with 409 and keeps the winner', async () => {
      await s.req('POST', '/api/metadata/taskdefs', [{ name: 'slow', responseTimeoutSeconds: 1, retryCount: 1, retryDelaySeconds: 0 }]);
      await s.req('POST', '/api/metadata/workflow', { name: 'w', tasks: [{ name: 'slow', taskReferenceName: 'a' }] });
      const id = (await s.req('POST', '/api/workflow/w', {})).text;
      const first = (await s.req('GET', '/api/tasks/poll/batch/slow?workerid=w1&count=1&timeout=1000')).body[0];
      // The lease lapses; the sweeper times the attempt out and schedules attempt 2.
      const second = (await s.req('GET', '/api/tasks/poll/batch/slow?workerid=w2&count=1&timeout=5000')).body[0];
      expect(second.retryCount).toBe(1);
      expect(second.taskId).not.toBe(first.taskId);
      const late = await s.req('POST', '/api/tasks', {
        taskId: first.taskId,
        workerId: 'w1',
        attemptToken: first.attemptToken,
        status: 'COMPLETED',
        outputData: { who: 'w1' },
      });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('STALE_ATTEMPT');
      const ok = await s.req('POST', '/api/tasks', {
        taskId: second.taskId,
        workerId: 'w2',
        attemptToken: second.attemptToken,
        status: 'COMPLETED',
        outputData: { who: 'w2' },
      });
      expect(ok.status).toBe(200);
      const dup = await s.req('POST', '/api/tasks', {
        taskId: second.taskId,
        workerId: 'w2',
        attemptToken: second.attemptToken,
        status: 'COMPLETED',
        outputData: { who: 'w2' },
      });
      expect(dup.status).toBe(200);
      const wf = (await s.req('GET', `/api/workflow/${id}`)).body;
      expect(wf.status).toBe('COMPLETED');
      expect(wf.output).toEqual({ who: 'w2' });
      expect(wf.tasks.map((t: any) => [t.retryCount, t.status])).toEqual([
        [0, 'TIMED_OUT'],
        [1, 'COMPLETED'],
      ]);
    });

    it('re-delivers a task after IN_PROGRESS with callbackAfterSeconds', async () => {
      await s.req('POST', '/api/metadata/taskdefs', [{ name: 'cb', responseTimeoutSeconds: 30 }]);
      await s.req('POST', '/api/metadata/workflow', { name: 'w', tasks: [{ name: 'cb', taskReferenceName: 'a' }] });
      await s.req('POST', '/api/workflow/w', {});
      const t = (await s.req('GET', '/api/tasks/poll/batch/cb?workerid=w1&count=1&timeout=1000')).body[0];
      expect(
        (
          await s.req('POST', '/api/tasks', {
            taskId: t.taskId,
            workerId: 'w1',
            attemptToken: t.attemptToken,
            status: 'IN_PROGRESS',
            callbackAfterSeconds: 1,
            outputData: { progress: 1 },
          })
        ).status,
      ).toBe(200);
      expect((await s.req('GET', '/api/tasks/poll/batch/cb?workerid=w1&count=1&timeout=100')).body).toEqual([]);
      const again = (await s.req('GET', '/api/tasks/poll/batch/cb?workerid=w1&count=1&timeout=5000')).body[0];
      expect(again.taskId).toBe(t.taskId);
      expect(again.pollCount).toBe(2);
      expect(again.outputData).toEqual({ progress: 1 });
    });

    it('terminates a running workflow and cancels its open task; reports on it get 409', async () => {
      await s.req('POST', '/api/metadata/taskdefs', [{ name: 'x', responseTimeoutSeconds: 30 }]);
      await s.req('POST', '/api/metadata/workflow', { name: 'w', tasks: [{ name: 'x', taskReferenceName: 'a' }] });
      const id = (await s.req('POST', '/api/workflow/w', {})).text;
      const t = (await s.req('GET', '/api/tasks/poll/batch/x?workerid=w1&count=1&timeout=1000')).body[0];
      expect((await s.req('DELETE', `/api/workflow/${id}?reason=customer%20cancelled`)).status).toBe(200);
      const wf = (await s.req('GET', `/api/workflow/${id}`)).body;
      expect([wf.status, wf.reasonForIncompletion, wf.tasks[0].status]).toEqual(['TERMINATED', 'customer cancelled', 'CANCELED']);
      expect(
        (await s.req('POST', '/api/tasks', { taskId: t.taskId, workerId: 'w1', attemptToken: t.attemptToken, status: 'COMPLETED' })).status,
      ).toBe(409);
      expect((await s.req('DELETE', `/api/workflow/${id}`)).status).toBe(409);
    });

    it('reports queue sizes per task type', async () => {
      await s.req('POST', '/api/metadata/taskdefs', [{ name: 'q1' }]);
      await s.req('POST', '/api/metadata/workflow', { name: 'w', tasks: [{ name: 'q1', taskReferenceName: 'a' }] });
      for (let i = 0; i < 3; i++) await s.req('POST', '/api/workflow/w', {});
      expect((await s.req('GET', '/api/tasks/queue/sizes?taskType=q1&taskType=q2')).body).toEqual({ q1: 3, q2: 0 });
    });

    it('serves health and metrics', async () => {
      expect((await s.req('GET', '/health')).body.healthy).toBe(true);
      const m = await s.req('GET', '/metrics');
      expect(m.status).toBe(200);
      expect(m.text).toContain('baton_tasks_scheduled_total');
    });
  });
});
