import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/** Conductor's REST routes Baton added for compatibility, over real HTTP, on every store. */
describe.each(storeKinds())('Conductor REST compatibility (%s)', (kind) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer(kind);
  });
  afterEach(() => s.close());

  const twoSteps = {
    name: 'two_steps',
    version: 1,
    tasks: [
      { name: 'first', taskReferenceName: 'a', type: 'SIMPLE', inputParameters: { x: '${workflow.input.x}' } },
      { name: 'second', taskReferenceName: 'b', type: 'SIMPLE', inputParameters: { y: '${a.output.y}' } },
    ],
    outputParameters: { z: '${b.output.z}' },
  };
  const register = async (def: Record<string, unknown> = twoSteps): Promise<void> => {
    const r = await s.req('PUT', '/api/metadata/workflow', [def]);
    expect(r.status).toBe(200);
  };
  const start = async (name = 'two_steps', input: Record<string, unknown> = { x: 1 }, correlationId?: string): Promise<string> => {
    const r = await s.req('POST', '/api/workflow', { name, input, ...(correlationId ? { correlationId } : {}) });
    expect(r.status).toBe(200);
    return r.text;
  };
  const poll = async (type: string, worker = 'w1'): Promise<any> => {
    const r = await s.req('GET', `/api/tasks/poll/batch/${type}?workerid=${worker}&count=1&timeout=0`);
    return (r.body as any[])[0];
  };
  const complete = (t: any, output: Record<string, unknown> = {}, worker = 'w1') =>
    s.req('POST', '/api/tasks', {
      taskId: t.taskId,
      workflowInstanceId: t.workflowInstanceId,
      workerId: worker,
      attemptToken: t.attemptToken,
      status: 'COMPLETED',
      outputData: output,
    });
  const wf = async (id: string): Promise<any> => (await s.req('GET', `/api/workflow/${id}`)).body;

  describe('definitions', () => {
    it('accepts a SIMPLE task without a registered definition, with a Warning header; refuses an unknown task type', async () => {
      const r = await s.req('POST', '/api/metadata/workflow', {
        name: 'w',
        tasks: [{ name: 'nodef', taskReferenceName: 'n', type: 'SIMPLE' }],
      });
      expect(r.status).toBe(200);
      const res = await fetch(`${s.url}/api/metadata/workflow`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ name: 'w2', tasks: [{ name: 'nodef', taskReferenceName: 'n' }] }]),
      });
      expect(res.headers.get('warning')).toMatch(
        /^299 baton ".*no task definition named 'nodef'.*retryCount 3, retryDelaySeconds 60, responseTimeoutSeconds 3600, timeoutPolicy TIME_OUT_WF/,
      );
      const typo = await s.req('POST', '/api/metadata/workflow', {
        name: 'w3',
        tasks: [{ name: 's', taskReferenceName: 's', type: 'SWICH' }],
      });
      expect(typo.status).toBe(400);
      expect(typo.body.validationErrors.map((e: any) => e.path)).toContain('/tasks/0/type');
    });

    it("runs the unregistered task with Conductor's defaults", async () => {
      await register({ name: 'nodef_flow', tasks: [{ name: 'nodef', taskReferenceName: 'n' }] });
      await start('nodef_flow');
      const t = await poll('nodef');
      expect(t.responseTimeoutSeconds).toBe(3600);
      expect(
        (await s.req('POST', '/api/tasks', { taskId: t.taskId, workerId: 'w1', attemptToken: t.attemptToken, status: 'FAILED' })).status,
      ).toBe(200);
      const [, retry] = (await wf(t.workflowInstanceId)).tasks;
      expect(retry).toMatchObject({ status: 'SCHEDULED', retryCount: 1, timeoutPolicy: 'TIME_OUT_WF' });
      expect(retry.visibleAt - retry.scheduledTime).toBe(60_000);
    });
  });

  describe('errors carry both problem+json and Conductor fields', () => {
    it('400 with errors and validationErrors; 404 with message', async () => {
      const bad = await s.req('POST', '/api/workflow', { version: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.type).toContain('application/problem+json');
      expect(bad.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', retryable: false });
      expect(bad.body.message).toBe(bad.body.detail);
      expect(bad.body.validationErrors).toEqual(bad.body.errors.map((e: any) => ({ path: e.pointer, message: e.message })));
      expect(bad.body.validationErrors.map((e: any) => e.path)).toEqual(expect.arrayContaining(['/name', '/version']));
      const missing = await s.req('GET', '/api/workflow/nope');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND', message: "workflow 'nope' not found" });
    });
  });

  describe('start routes take YAML', () => {
    it('POST /workflow/{name} and POST /workflow with application/yaml bodies', async () => {
      await register();
      const a = await s.req('POST', '/api/workflow/two_steps', 'x: 42\nnote: from yaml\n', { 'content-type': 'application/yaml' });
      expect(a.status).toBe(200);
      expect((await wf(a.text)).input).toEqual({ x: 42, note: 'from yaml' });
      const b = await s.req('POST', '/api/workflow', 'name: two_steps\ninput:\n  x: 7\ncorrelationId: c-yaml\n', {
        'content-type': 'application/yaml',
      });
      expect(b.status).toBe(200);
      expect(await wf(b.text)).toMatchObject({ input: { x: 7 }, correlationId: 'c-yaml' });
      const broken = await s.req('POST', '/api/workflow', 'name: [unclosed', { 'content-type': 'application/yaml' });
      expect(broken.status).toBe(400);
    });
  });

  describe('execute', () => {
    it('waits until the workflow ends and answers a WorkflowRun', async () => {
      await register();
      const worker = (async () => {
        for (const [type, out] of [
          ['first', { y: 2 }],
          ['second', { z: 3 }],
        ] as const) {
          let t: any;
          for (let i = 0; i < 200 && !t; i++)
            t = (await s.req('GET', `/api/tasks/poll/batch/${type}?workerid=w&count=1&timeout=500`)).body[0];
          await s.req('POST', '/api/tasks', {
            taskId: t.taskId,
            workerId: 'w',
            attemptToken: t.attemptToken,
            status: 'COMPLETED',
            outputData: out,
          });
        }
      })();
      const r = await s.req('POST', '/api/workflow/execute/two_steps/1?requestId=req-1&waitForSeconds=30', {
        name: 'two_steps',
        input: { x: 1 },
      });
      await worker;
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        requestId: 'req-1',
        status: 'COMPLETED',
        output: { z: 3 },
        responseType: 'TARGET_WORKFLOW',
        signalTimeout: false,
      });
      expect(r.body.targetWorkflowId).toBe(r.body.workflowId);
      expect(r.body.tasks.map((t: any) => t.referenceTaskName)).toEqual(['a', 'b']);
    });

    it('answers when the workflow reaches waitUntilTaskRef, or when waitForSeconds pass', async () => {
      await register();
      const reached = await s.req('POST', '/api/workflow/execute/two_steps/1?waitUntilTaskRef=a&waitForSeconds=30', { input: { x: 1 } });
      expect(reached.body).toMatchObject({ status: 'RUNNING', signalTimeout: false });
      expect(reached.body.tasks.map((t: any) => t.referenceTaskName)).toEqual(['a']);
      const timedOut = await s.req('POST', '/api/workflow/execute/two_steps/1?waitUntilTaskRef=b&waitForSeconds=0', { input: { x: 1 } });
      expect(timedOut.body).toMatchObject({ status: 'RUNNING', signalTimeout: true });
      const yaml = await s.req('POST', '/api/workflow/execute/two_steps/1?waitUntilTaskRef=a', 'input:\n  x: 3\n', {
        'content-type': 'application/yaml',
      });
      expect(yaml.body).toMatchObject({ status: 'RUNNING', input: { x: 3 } });
      expect((await s.req('POST', '/api/workflow/execute/two_steps/0', {})).status).toBe(400);
      expect((await s.req('POST', '/api/workflow/execute/no_such/1', {})).status).toBe(404);
    });
  });

  describe('update-v2', () => {
    it('reports and hands the same worker the next task of the type; null when there is none', async () => {
      await register();
      const id1 = await start();
      const id2 = await start();
      const t1 = await poll('first');
      const r = await s.req('POST', '/api/tasks/update-v2', {
        taskId: t1.taskId,
        workflowInstanceId: t1.workflowInstanceId,
        workerId: 'w1',
        attemptToken: t1.attemptToken,
        status: 'COMPLETED',
        outputData: { y: 1 },
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ taskType: 'first', status: 'IN_PROGRESS', workerId: 'w1' });
      expect([id1, id2]).toContain(r.body.workflowInstanceId);
      expect(r.body.workflowInstanceId).not.toBe(t1.workflowInstanceId);
      expect(typeof r.body.attemptToken).toBe('string');
      const last = await s.req('POST', '/api/tasks/update-v2', {
        taskId: r.body.taskId,
        workerId: 'w1',
        attemptToken: r.body.attemptToken,
        status: 'COMPLETED',
        outputData: { y: 2 },
      });
      expect([last.status, last.text]).toEqual([200, 'null']);
      expect((await wf(id1)).tasks.map((t: any) => t.referenceTaskName)).toEqual(['a', 'b']);
    });
  });

  describe('stale reports', () => {
    it("are ignored with 200 for Conductor's clients (no token, a workerId), 409 for token holders; nothing changes either way", async () => {
      await register();
      const id = await start();
      const t = await poll('first', 'py-worker');
      // An operator completes the task first (Conductor allows it): the worker's attempt is over.
      expect((await s.req('POST', `/api/tasks/${id}/a/COMPLETED`, { y: 'operator' })).status).toBe(200);
      const res = await fetch(`${s.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ taskId: t.taskId, workerId: 'py-worker', status: 'FAILED', reasonForIncompletion: 'late' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-baton-report')).toBe('ignored-stale');
      const withToken = await s.req('POST', '/api/tasks', {
        taskId: t.taskId,
        workerId: 'py-worker',
        attemptToken: t.attemptToken,
        status: 'FAILED',
      });
      expect([withToken.status, withToken.body.code]).toEqual([409, 'STALE_ATTEMPT']);
      expect((await wf(id)).tasks[0]).toMatchObject({ status: 'COMPLETED', outputData: { y: 'operator' } });
    });
  });

  describe('tasks by reference name', () => {
    it('completes a SCHEDULED worker task no worker claimed, and /sync answers the workflow', async () => {
      await register();
      const id = await start();
      const r = await s.req('POST', `/api/tasks/${id}/a/COMPLETED`, { y: 5 });
      expect(r.status).toBe(200);
      const next = await poll('second');
      expect(next.inputData).toEqual({ y: 5 });
      const sync = await s.req('POST', `/api/tasks/${id}/b/COMPLETED/sync`, { z: 9 });
      expect(sync.status).toBe(200);
      expect(sync.body).toMatchObject({ workflowId: id, status: 'COMPLETED', output: { z: 9 } });
      expect((await s.req('POST', `/api/tasks/${id}/b/COMPLETED/sync`, {})).status).toBe(409);
      expect((await s.req('POST', `/api/tasks/${id}/b/CANCELED/sync`, {})).status).toBe(400);
    });
  });

  describe('task logs, poll data, queues', () => {
    it('appends raw-string and text log lines and lists them with the reported ones', async () => {
      await register();
      await start();
      const t = await poll('first');
      expect((await s.req('POST', `/api/tasks/${t.taskId}/log`, JSON.stringify('step one'))).status).toBe(200);
      expect((await s.req('POST', `/api/tasks/${t.taskId}/log`, 'step two', { 'content-type': 'text/plain' })).status).toBe(200);
      await s.req('POST', '/api/tasks', {
        taskId: t.taskId,
        workerId: 'w1',
        attemptToken: t.attemptToken,
        status: 'COMPLETED',
        outputData: { y: 1 },
        logs: [{ log: 'reported' }],
      });
      const logs = await s.req('GET', `/api/tasks/${t.taskId}/log`);
      expect(logs.body.map((l: any) => l.log).sort()).toEqual(['reported', 'step one', 'step two']);
      expect(logs.body.every((l: any) => l.taskId === t.taskId && typeof l.createdTime === 'number')).toBe(true);
      expect((await s.req('POST', `/api/tasks/${t.taskId}/log`, { not: 'a string' })).status).toBe(400);
      expect((await s.req('POST', '/api/tasks/nope/log', JSON.stringify('x'))).status).toBe(404);
      expect((await s.req('GET', '/api/tasks/nope/log')).status).toBe(404);
    });

    it('records who polled which queue and counts every queue', async () => {
      await register();
      await start();
      await start();
      await s.req('GET', '/api/tasks/poll/batch/first?workerid=alpha&count=1&timeout=0');
      await s.req('GET', '/api/tasks/poll/second?workerid=beta');
      const polls = await s.req('GET', '/api/tasks/queue/polldata?taskType=first');
      expect(polls.body).toEqual([expect.objectContaining({ queueName: 'first', workerId: 'alpha' })]);
      const all = await s.req('GET', '/api/tasks/queue/polldata/all');
      expect(all.body.map((p: any) => `${p.queueName}/${p.workerId}`).sort()).toEqual(['first/alpha', 'second/beta']);
      expect((await s.req('GET', '/api/tasks/queue/polldata')).status).toBe(400);
      expect((await s.req('GET', '/api/tasks/queue/all')).body).toEqual({ first: 1 });
    });
  });

  describe('lifecycle', () => {
    it('status; pause holds the next step until resume, with results reported meanwhile', async () => {
      await register({ ...twoSteps, timeoutSeconds: 3600 });
      const id = await start('two_steps', { x: 1 }, 'corr-1');
      const deadline = (await s.engine.store.getWorkflow(id))!.wakeAt;
      expect(deadline).toBeGreaterThan(0);
      expect((await s.req('GET', `/api/workflow/${id}/status`)).body).toEqual({
        workflowId: id,
        correlationId: 'corr-1',
        status: 'RUNNING',
      });
      const t = await poll('first');
      expect((await s.req('PUT', `/api/workflow/${id}/pause`)).status).toBe(200);
      expect((await s.req('PUT', `/api/workflow/${id}/pause`)).status).toBe(200); // already paused: fine
      expect((await complete(t, { y: 2 })).status).toBe(200);
      expect(await poll('second')).toBeUndefined();
      expect((await wf(id)).status).toBe('PAUSED');
      // No timer while paused: the sweeper must not find a workflow that cannot move due on every pass.
      expect((await s.engine.store.getWorkflow(id))!.wakeAt).toBe(0);
      expect((await s.req('PUT', `/api/workflow/${id}/resume`)).status).toBe(200);
      expect((await s.engine.store.getWorkflow(id))!.wakeAt).toBe(deadline);
      expect((await s.req('PUT', `/api/workflow/${id}/resume`)).status).toBe(409);
      const next = await poll('second');
      expect(next.inputData).toEqual({ y: 2 });
      await complete(next, { z: 3 });
      expect((await s.req('GET', `/api/workflow/${id}/status?includeOutput=true&includeVariables=true`)).body).toMatchObject({
        status: 'COMPLETED',
        output: { z: 3 },
        variables: {},
      });
      expect((await s.req('PUT', `/api/workflow/${id}/pause`)).status).toBe(409);
    });

    it('restart runs an ended workflow again from its first step (same id), with the latest definition when asked', async () => {
      await register();
      const id = await start();
      await complete(await poll('first'), { y: 1 });
      await complete(await poll('second'), { z: 1 });
      expect((await wf(id)).status).toBe('COMPLETED');
      await register({ ...twoSteps, version: 2, outputParameters: { z: '${b.output.z}', v: 2 } });
      expect((await s.req('POST', `/api/workflow/${id}/restart?useLatestDefinitions=true`)).status).toBe(204);
      let w = await wf(id);
      expect(w).toMatchObject({ status: 'RUNNING', workflowVersion: 2, output: {}, endTime: 0 });
      expect(w.tasks.map((t: any) => [t.referenceTaskName, t.status])).toEqual([['a', 'SCHEDULED']]);
      await complete(await poll('first'), { y: 2 });
      await complete(await poll('second'), { z: 2 });
      w = await wf(id);
      expect(w).toMatchObject({ status: 'COMPLETED', output: { z: 2, v: 2 } });
      expect((await s.req('POST', `/api/workflow/${await start()}/restart`)).status).toBe(409);
      await register({ ...twoSteps, name: 'once', restartable: false });
      const once = await start('once');
      await s.req('DELETE', `/api/workflow/${once}`);
      expect((await s.req('POST', `/api/workflow/${once}/restart`)).status).toBe(409);
    });

    it('remove deletes an ended workflow and its tasks; a running one needs terminate-remove', async () => {
      await register();
      const id = await start();
      const t = await poll('first');
      expect((await s.req('DELETE', `/api/workflow/${id}/remove`)).status).toBe(409);
      expect((await s.req('DELETE', `/api/workflow/${id}/terminate-remove`)).status).toBe(200);
      expect((await s.req('GET', `/api/workflow/${id}`)).status).toBe(404);
      expect((await s.req('GET', `/api/tasks/${t.taskId}`)).status).toBe(404);
      const id2 = await start();
      await s.req('DELETE', `/api/workflow/${id2}`);
      expect((await s.req('DELETE', `/api/workflow/${id2}/remove`)).status).toBe(200);
      expect((await s.req('DELETE', `/api/workflow/${id2}/remove`)).status).toBe(404);
    });

    it('variables are merged into a running workflow and refused for an ended one', async () => {
      await register({ ...twoSteps, variables: { keep: 1 } });
      const id = await start();
      const r = await s.req('POST', `/api/workflow/${id}/variables`, { added: 'yes' });
      expect(r.status).toBe(200);
      expect((await wf(id)).variables).toEqual({ keep: 1, added: 'yes' });
      expect((await s.req('POST', `/api/workflow/${id}/variables`, [1])).status).toBe(400);
      await s.req('DELETE', `/api/workflow/${id}`);
      expect((await s.req('POST', `/api/workflow/${id}/variables`, { late: true })).status).toBe(409);
    });

    it('correlation lookups and running ids', async () => {
      await register();
      const a = await start('two_steps', {}, 'order-1');
      const b = await start('two_steps', {}, 'order-1');
      const c = await start('two_steps', {}, 'order-2');
      await s.req('DELETE', `/api/workflow/${b}`);
      const open = await s.req('GET', '/api/workflow/two_steps/correlated/order-1');
      expect(open.body.map((w: any) => w.workflowId)).toEqual([a]);
      const all = await s.req('GET', '/api/workflow/two_steps/correlated/order-1?includeClosed=true&includeTasks=true');
      expect(all.body.map((w: any) => w.workflowId).sort()).toEqual([a, b].sort());
      expect(all.body[0].tasks.length).toBe(1);
      const many = await s.req('POST', '/api/workflow/two_steps/correlated?includeClosed=true', ['order-1', 'order-2', 'none']);
      expect(Object.fromEntries(Object.entries(many.body).map(([k, v]) => [k, (v as any[]).length]))).toEqual({
        'order-1': 2,
        'order-2': 1,
        none: 0,
      });
      const batch = await s.req('POST', '/api/workflow/correlated/batch', { workflowNames: ['two_steps'], correlationIds: ['order-2'] });
      expect(batch.body['order-2'].map((w: any) => w.workflowId)).toEqual([c]);
      const running = await s.req('GET', '/api/workflow/running/two_steps?version=1');
      expect((running.body as string[]).sort()).toEqual([a, c].sort());
      expect((await s.req('GET', '/api/workflow/running/two_steps?version=2')).body).toEqual([]);
      expect((await s.req('POST', '/api/workflow/two_steps/correlated', { not: 'a list' })).status).toBe(400);
    });

    it("bulk operations answer Conductor's BulkResponse", async () => {
      await register();
      const ids = [await start(), await start(), await start()];
      const paused = await s.req('PUT', '/api/workflow/bulk/pause', [...ids, 'missing']);
      expect(paused.body.bulkSuccessfulResults.sort()).toEqual([...ids].sort());
      expect(Object.keys(paused.body.bulkErrorResults)).toEqual(['missing']);
      expect((await s.req('PUT', '/api/workflow/bulk/resume', ids)).body.bulkSuccessfulResults.length).toBe(3);
      const terminated = await s.req('POST', '/api/workflow/bulk/terminate?reason=cleanup', ids.slice(0, 2));
      expect(terminated.body).toEqual({ bulkSuccessfulResults: ids.slice(0, 2), bulkErrorResults: {} });
      expect((await wf(ids[0]!)).reasonForIncompletion).toBe('cleanup');
      const retried = await s.req('POST', '/api/workflow/bulk/retry', ids);
      expect(retried.body.bulkSuccessfulResults.sort()).toEqual(ids.slice(0, 2).sort());
      expect(Object.keys(retried.body.bulkErrorResults)).toEqual([ids[2]]);
      await s.req('POST', '/api/workflow/bulk/terminate', ids);
      const restarted = await s.req('POST', '/api/workflow/bulk/restart', ids);
      expect(restarted.body.bulkSuccessfulResults.length).toBe(3);
      expect(
        (
          await s.req(
            'PUT',
            '/api/workflow/bulk/pause',
            Array.from({ length: 1001 }, (_, i) => `id-${i}`),
          )
        ).status,
      ).toBe(400);
      expect((await s.req('PUT', '/api/workflow/bulk/pause', { ids })).status).toBe(400);
    });
  });
});
