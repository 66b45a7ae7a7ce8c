import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BatonClient, HttpError, NetworkError, WaitTimeoutError } from '../src';
import { FakeBatonServer } from './support/fake-baton-server';

const fastRetry = { minTimeoutMs: 10, maxTimeoutMs: 50 };

describe('BatonClient', () => {
  let server: FakeBatonServer;
  let client: BatonClient;

  beforeEach(async () => {
    server = await new FakeBatonServer().listen();
    client = new BatonClient({ serverUrl: `${server.url}/`, retry: fastRetry });
  });
  afterEach(async () => {
    await server.close();
  });

  const requestsTo = (method: string, path: string) =>
    server.requests.filter((request) => request.method === method && request.path === path);

  it('starts a workflow with a StartWorkflowRequest and returns the text/plain id', async () => {
    const id = await client.startWorkflow('order_flow', { orderId: 'o-1' }, { version: 2, correlationId: 'c-9', priority: 5 });
    expect(server.workflows.has(id)).toBe(true);
    expect(requestsTo('POST', '/api/workflow')[0]?.body).toEqual({
      name: 'order_flow',
      version: 2,
      input: { orderId: 'o-1' },
      correlationId: 'c-9',
      priority: 5,
    });
  });

  it('leaves optional start fields out when not given', async () => {
    await client.startWorkflow('order_flow');
    expect(requestsTo('POST', '/api/workflow')[0]?.body).toEqual({ name: 'order_flow', input: {} });
  });

  it('reads a workflow with its tasks', async () => {
    const id = await client.startWorkflow('order_flow', { orderId: 'o-1' }, { correlationId: 'c-9' });
    const workflow = await client.getWorkflow(id, { includeTasks: true });
    expect(workflow).toMatchObject({
      workflowId: id,
      workflowName: 'order_flow',
      workflowVersion: 1,
      status: 'RUNNING',
      input: { orderId: 'o-1' },
      output: {},
      correlationId: 'c-9',
    });
    expect(typeof workflow.createTime).toBe('number');
    expect(workflow.tasks).toHaveLength(1);
    expect(workflow.tasks[0]).toMatchObject({ taskId: 'wt-1', taskType: 'first', referenceTaskName: 'first_ref', status: 'SCHEDULED' });

    const withoutTasks = await client.getWorkflow(id, { includeTasks: false });
    expect(withoutTasks.tasks).toEqual([]);
  });

  it('throws HttpError with the problem body for an unknown workflow, without retrying', async () => {
    const error = await client.getWorkflow('nope').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      code: 'HTTP_ERROR',
      status: 404,
      retryable: false,
      problem: { title: 'Workflow not found', status: 404 },
    });
    expect(requestsTo('GET', '/api/workflow/nope')).toHaveLength(1);
  });

  it('waits until the workflow reaches a terminal status', async () => {
    const id = await client.startWorkflow('order_flow');
    setTimeout(() => server.setWorkflowStatus(id, 'COMPLETED', { total: 10 }), 100);
    const done = await client.waitForWorkflow(id, { timeoutMs: 3_000, intervalMs: 20 });
    expect(done).toMatchObject({ status: 'COMPLETED', output: { total: 10 } });
  });

  it('gives up waiting with WaitTimeoutError', async () => {
    const id = await client.startWorkflow('order_flow');
    const error = await client.waitForWorkflow(id, { timeoutMs: 100, intervalMs: 20 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', lastStatus: 'RUNNING' });
  });

  it('terminates a workflow with a reason', async () => {
    const id = await client.startWorkflow('order_flow');
    await client.terminateWorkflow(id, 'customer cancelled');
    expect(await client.getWorkflow(id)).toMatchObject({ status: 'TERMINATED', reasonForIncompletion: 'customer cancelled' });
  });

  it('reads queue sizes for several task types', async () => {
    server.enqueue('a');
    server.enqueue('a');
    server.enqueue('b');
    expect(await client.queueSizes(['a', 'b', 'c'])).toEqual({ a: 2, b: 1, c: 0 });
    expect(await client.queueSizes([])).toEqual({});
  });

  it('registers definitions with the Conductor verbs and bodies', async () => {
    await client.registerTaskDefs([{ name: 'calculate_tax', retryCount: 2, responseTimeoutSeconds: 30 }]);
    await client.updateTaskDef({ name: 'calculate_tax', retryCount: 3 });
    const def = { name: 'order_flow', version: 1, tasks: [{ name: 'calculate_tax', taskReferenceName: 'tax' }] };
    await client.registerWorkflowDef(def);
    await client.registerWorkflowDef(def, { overwrite: true });

    expect(requestsTo('POST', '/api/metadata/taskdefs')[0]?.body).toEqual([
      { name: 'calculate_tax', retryCount: 2, responseTimeoutSeconds: 30 },
    ]);
    expect(requestsTo('PUT', '/api/metadata/taskdefs')[0]?.body).toEqual({ name: 'calculate_tax', retryCount: 3 });
    expect(server.workflowDefs).toEqual([
      { method: 'POST', body: def },
      { method: 'PUT', body: [def] },
    ]);
  });

  it('surfaces problem+json field errors on a 400 and never retries it', async () => {
    const error = await client.registerTaskDefs([{ name: 'ok' }, { retryCount: 1 } as never]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    const httpError = error as HttpError;
    expect(httpError.status).toBe(400);
    expect(httpError.retryable).toBe(false);
    expect(httpError.problem?.errors).toEqual([{ pointer: '/1/name', message: 'is required' }]);
    expect(httpError.message).toContain('Invalid task definition');
    expect(requestsTo('POST', '/api/metadata/taskdefs')).toHaveLength(1);
  });

  it('retries reads on 503 and 500', async () => {
    const id = await client.startWorkflow('order_flow');
    server.injectFaults('getWorkflow', [503, 500]);
    expect((await client.getWorkflow(id)).workflowId).toBe(id);
    expect(requestsTo('GET', `/api/workflow/${id}`)).toHaveLength(3);
  });

  it('resends a start refused with 503, but not one that failed with 500 (it may have run)', async () => {
    server.injectFaults('startWorkflow', [503]);
    await client.startWorkflow('order_flow');
    expect(requestsTo('POST', '/api/workflow')).toHaveLength(2);

    server.injectFaults('startWorkflow', [500]);
    const error = await client.startWorkflow('order_flow').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(requestsTo('POST', '/api/workflow')).toHaveLength(3);
  });

  it('throws NetworkError when nothing listens, after retrying', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    const offline = new BatonClient({ serverUrl: `http://127.0.0.1:${port}`, retry: { retries: 2, minTimeoutMs: 10 } });
    const error = await offline.startWorkflow('order_flow').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, requestMayHaveBeenSent: false });
  });
});
