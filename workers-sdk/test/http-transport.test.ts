import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestAbortedError, RequestTimeoutError } from '../src';
import { HttpTransport } from '../src/http/transport';
import { RetryMode } from '../src/http/retry-policy';
import { compileTransportOptions } from '../src/options';

describe('HttpTransport', () => {
  let server: Server;
  let transport: HttpTransport;
  let onRequest: (res: ServerResponse) => void = () => {};

  beforeAll(async () => {
    server = createServer((_req, res) => onRequest(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    transport = new HttpTransport(compileTransportOptions({ serverUrl: `http://127.0.0.1:${port}`, requestTimeoutMs: 2_000 }));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads an answer to the end when the caller aborts after it began (a poll holding claimed tasks)', async () => {
    let finishBody = (): void => {};
    onRequest = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"taskId":');
      finishBody = () => res.end('"t1"}]');
    };
    const controller = new AbortController();
    // The headers and part of the body are in when the caller aborts (stop() during a poll);
    // the rest of the body arrives after the abort.
    const headersSent = new Promise<void>((resolve) => {
      const previous = onRequest;
      onRequest = (res) => {
        previous(res);
        resolve();
      };
    });
    const sent = transport.send({ method: 'GET', path: '/poll', retry: RetryMode.NEVER, signal: controller.signal });
    await headersSent;
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await new Promise((r) => setTimeout(r, 20));
    finishBody();
    const response = await sent;
    expect(JSON.parse(response.text)).toEqual([{ taskId: 't1' }]);
  });

  it('gives up at once when the caller aborts before the answer', async () => {
    onRequest = () => {}; // never answers
    const controller = new AbortController();
    const sent = transport.send({ method: 'GET', path: '/poll', retry: RetryMode.NEVER, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(sent).rejects.toBeInstanceOf(RequestAbortedError);
  });

  it('stops retrying when the caller aborts between tries', async () => {
    let requests = 0;
    onRequest = (res) => {
      requests += 1;
      res.writeHead(503).end();
    };
    const controller = new AbortController();
    const slowRetries = new HttpTransport(
      compileTransportOptions({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { minTimeoutMs: 100 } }),
    );
    const sent = slowRetries.send({ method: 'GET', path: '/x', retry: RetryMode.IDEMPOTENT, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(sent).rejects.toBeInstanceOf(RequestAbortedError);
    // Past the longest first wait (100 ms, up to twice that with jitter): a second try would be in.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toBe(1);
  });

  it('fails with RequestTimeoutError when no answer comes in time', async () => {
    onRequest = () => {};
    const error = await transport
      .send({ method: 'GET', path: '/slow', retry: RetryMode.NEVER, timeoutMs: 50 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'REQUEST_TIMEOUT', timeoutMs: 50, path: '/slow' });
  });
});
