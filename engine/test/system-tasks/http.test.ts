import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';
import { eventually } from '../helpers/eventually';

/** The HTTP system task, run by the engine's own runner against a local server. */
describe.each(storeKinds())('HTTP system task (%s)', (kind) => {
  let s: TestServer;
  let target: http.Server;
  let base = '';
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let answer: (n: number, res: http.ServerResponse) => void = (_n, res) => res.end();

  beforeEach(async () => {
    seen.length = 0;
    target = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        answer(seen.length, res);
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    // The target is on loopback, which HTTP tasks may not reach unless the allow-list opens it.
    s = await startTestServer(kind, { env: { BATON_SWEEP_INTERVAL_MS: '50', BATON_HTTP_TASK_ALLOW: '127.0.0.1' } });
  });
  afterEach(async () => {
    await s.close();
    target.closeAllConnections();
    await new Promise((r) => target.close(r));
  });

  const run = async (def: Record<string, unknown>, input: Record<string, unknown> = {}): Promise<any> => {
    expect((await s.req('PUT', '/api/metadata/workflow', [def])).status).toBe(200);
    const id = (await s.req('POST', `/api/workflow/${String(def.name)}`, input)).text;
    return eventually(
      async () => (await s.req('GET', `/api/workflow/${id}`)).body,
      (w) => w.status !== 'RUNNING',
      10_000,
    );
  };
  const httpFlow = (request: Record<string, unknown>, style: 'http_request' | 'flat' = 'http_request') => ({
    name: 'call_out',
    version: 1,
    tasks: [
      {
        name: 'notify',
        taskReferenceName: 'notify',
        type: 'HTTP',
        inputParameters: style === 'flat' ? request : { http_request: request },
      },
    ],
    outputParameters: { status: '${notify.output.response.statusCode}', body: '${notify.output.response.body}' },
  });

  it('fails twice, then answers 200: the workflow completes after 3 attempts under the task definition retry policy', async () => {
    answer = (n, res) => {
      if (n <= 2) {
        res.statusCode = 503;
        res.end('busy');
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, n }));
      }
    };
    await s.req('POST', '/api/metadata/taskdefs', [{ name: 'notify', retryCount: 2, retryDelaySeconds: 0 }]);
    const wf = await run(
      httpFlow({ uri: `${base}/hook?x=1`, method: 'POST', body: { order: '${workflow.input.order}' }, headers: { 'X-Trace': 't1' } }),
      { order: 'A-1' },
    );
    expect(wf.status).toBe('COMPLETED');
    expect(wf.output).toEqual({ status: 200, body: { ok: true, n: 3 } });
    const attempts = (wf.tasks as any[]).filter((t) => t.referenceTaskName === 'notify');
    expect(attempts.map((t) => [t.retryCount, t.status])).toEqual([
      [0, 'FAILED'],
      [1, 'FAILED'],
      [2, 'COMPLETED'],
    ]);
    expect(attempts[0].reasonForIncompletion).toBe('HTTP 503 Service Unavailable');
    expect(attempts[0].outputData.response).toMatchObject({ statusCode: 503, body: 'busy', reasonPhrase: 'Service Unavailable' });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/hook?x=1',
      body: JSON.stringify({ order: 'A-1' }),
      headers: { 'x-trace': 't1', 'content-type': 'application/json' },
    });
  });

  it('takes Conductor 3 style top-level fields; without a task definition a failure is not retried', async () => {
    answer = (_n, res) => {
      res.statusCode = 404;
      res.end();
    };
    const wf = await run(httpFlow({ uri: `${base}/missing`, method: 'GET' }, 'flat'));
    expect(wf.status).toBe('FAILED');
    expect(wf.reasonForIncompletion).toBe('HTTP 404 Not Found');
    expect(seen).toHaveLength(1);
  });

  it('fails on a read timeout and on a refused connection with a clear reason', async () => {
    answer = () => undefined; // never answers
    const slow = await run(httpFlow({ uri: `${base}/slow`, readTimeOut: 200 }));
    expect(slow.status).toBe('FAILED');
    expect(slow.reasonForIncompletion).toMatch(/got no response within 200 ms/);

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await run({ ...httpFlow({ uri: `http://127.0.0.1:${port}/` }), name: 'call_closed' });
    expect(refused.status).toBe('FAILED');
    expect(refused.reasonForIncompletion).toMatch(/ECONNREFUSED/);
  });
});
