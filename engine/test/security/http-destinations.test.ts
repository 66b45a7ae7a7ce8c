import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DestinationPolicy, parseAllowEntry } from '../../src/runtime/system-tasks/http/destination-policy';
import { redactUrl } from '../../src/runtime/system-tasks/http/redact';
import { capturedLog } from '../helpers/auth';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

describe('HTTP task destination policy', () => {
  const policy = (allow: string[] = [], ownPort: number | null = 8080) => DestinationPolicy.fromConfig(allow, () => ownPort);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['2002:7f00:1::', '6to4'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2001::1', 'teredo'],
    ['2001:db8::1', 'reserved'],
  ])('refuses %s (%s) by default', (address, why) => {
    expect(policy().refusal(address, 443, 'example.com')).toContain(why);
  });

  it('lets global unicast addresses through', () => {
    expect(policy().refusal('93.184.215.14', 443, 'example.com')).toBeNull();
    expect(policy().refusal('2606:4700::1111', 443, 'one.one.one.one')).toBeNull();
  });

  it('sees through decimal, octal, hex and IPv4-mapped spellings (the URL parser normalises them)', () => {
    for (const spelling of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://017700000001/',
      'http://127.1/',
      'http://0x7f000001/',
      'http://[::ffff:7f00:1]/',
    ]) {
      const host = new URL(spelling).hostname.replace(/^\[|\]$/g, '');
      expect([spelling, policy().refusal(host, 80, host)]).toEqual([spelling, expect.stringContaining('loopback')]);
    }
  });

  it('opens what the allow-list names: ranges, addresses, host names and wildcards, each optionally on one port', () => {
    const p = policy(['10.1.0.0/16', '127.0.0.1:9000', 'billing.internal', '*.corp.example:443', '[::1]:7000', 'fd00::/8']);
    expect(p.refusal('10.1.2.3', 80, 'x')).toBeNull();
    expect(p.refusal('10.2.0.1', 80, 'x')).toContain('private');
    expect(p.refusal('127.0.0.1', 9000, '127.0.0.1')).toBeNull();
    expect(p.refusal('127.0.0.1', 9001, '127.0.0.1')).toContain('loopback');
    expect(p.refusal('10.9.9.9', 80, 'billing.internal')).toBeNull();
    expect(p.refusal('10.9.9.9', 443, 'api.corp.example')).toBeNull();
    expect(p.refusal('10.9.9.9', 80, 'api.corp.example')).toContain('private');
    expect(p.refusal('10.9.9.9', 443, 'corp.example')).toContain('private');
    expect(p.refusal('::1', 7000, 'localhost')).toBeNull();
    expect(p.refusal('fd12::1', 80, 'x')).toBeNull();
    expect(p.refusal('::ffff:10.1.0.9', 80, 'x')).toBeNull();
  });

  it("never opens the engine's own API port, even when the allow-list opens its address", () => {
    const p = policy(['127.0.0.0/8', '0.0.0.0/0'], 8080);
    expect(p.refusal('127.0.0.1', 8080, '127.0.0.1')).toContain("engine's own API");
    expect(p.refusal('127.0.0.1', 8081, '127.0.0.1')).toBeNull();
    expect(p.refusal('0.0.0.0', 8080, '0.0.0.0')).toContain("engine's own API");
  });

  it('rejects allow-list entries it cannot read', () => {
    for (const bad of ['10.0.0.0/33', 'host name', '1.2.3.4:99999', '*.', 'a..b']) expect(() => parseAllowEntry(bad)).toThrow();
  });

  it('redacts userinfo and credential-like query values from URLs', () => {
    expect(redactUrl('http://bob:hunter2@api.example/x?token=abc&page=2')).toBe('http://***:***@api.example/x?token=***&page=2');
    expect(redactUrl('not a url //bob:hunter2@x')).not.toContain('hunter2');
  });
});

/** A local target; `handle` answers each request. */
class Target {
  readonly server: http.Server;
  readonly seen: Array<{ url: string; headers: http.IncomingHttpHeaders; remotePort: number }> = [];
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('{}');
  constructor() {
    this.server = http.createServer((req, res) => {
      this.seen.push({ url: req.url ?? '', headers: req.headers, remotePort: req.socket.remotePort ?? 0 });
      req.resume();
      this.handle(req, res);
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe('HTTP tasks against local servers', () => {
  let s: TestServer | null = null;
  const targets: Target[] = [];
  const target = async (): Promise<{ t: Target; port: number }> => {
    const t = new Target();
    targets.push(t);
    return { t, port: await t.listen() };
  };
  afterEach(async () => {
    await s?.close();
    s = null;
    for (const t of targets.splice(0)) await t.close();
  });

  let flowSeq = 0;
  const run = async (request: Record<string, unknown>): Promise<any> => {
    const name = `http_case_${++flowSeq}`;
    const def = {
      name,
      version: 1,
      tasks: [{ name: 'call', taskReferenceName: 'call', type: 'HTTP', inputParameters: { http_request: request } }],
    };
    expect((await s!.req('PUT', '/api/metadata/workflow', [def])).status).toBe(200);
    const id = (await s!.req('POST', `/api/workflow/${name}`, {})).text;
    return eventually(
      async () => (await s!.req('GET', `/api/workflow/${id}`)).body,
      (w) => w.status !== 'RUNNING',
      15_000,
    );
  };

  it('refuses loopback by default, however it is spelled, for good (no retries), and the target hears nothing', async () => {
    const { t, port } = await target();
    s = await startTestServer('sqlite');
    for (const uri of [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
    ]) {
      const wf = await run({ uri });
      expect([uri, wf.status]).toEqual([uri, 'FAILED']);
      expect(wf.tasks[0].status).toBe('FAILED_WITH_TERMINAL_ERROR');
      expect(wf.reasonForIncompletion).toMatch(/refused: .*(loopback)/);
      expect(wf.reasonForIncompletion).toContain('BATON_HTTP_TASK_ALLOW');
    }
    expect(t.seen).toHaveLength(0);
  });

  it("cannot drive the engine's own API, even with loopback allowed: a workflow cannot terminate another", async () => {
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: '127.0.0.0/8' } });
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'victim', version: 1, tasks: [{ name: 'wait', taskReferenceName: 'wait', type: 'HUMAN' }] },
    ]);
    const victim = (await s.req('POST', '/api/workflow/victim', {})).text;
    const port = s.running.port;
    for (const uri of [
      `http://127.0.0.1:${port}/api/workflow/${victim}`,
      `http://2130706433:${port}/api/workflow/${victim}`,
      `http://localhost:${port}/api/workflow/${victim}`,
    ]) {
      const wf = await run({ uri, method: 'DELETE' });
      expect([uri, wf.tasks[0].status]).toEqual([uri, 'FAILED_WITH_TERMINAL_ERROR']);
      expect(wf.reasonForIncompletion).toContain("engine's own API");
    }
    expect((await s.req('GET', `/api/workflow/${victim}`)).body.status).toBe('RUNNING');
  });

  it('checks every redirect: one into a refused destination fails, one to an allowed place is followed without the credentials of the first origin', async () => {
    const a = await target();
    const b = await target();
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: `127.0.0.1:${a.port}` } });
    a.t.handle = (req, res) => {
      if (req.url === '/to-b') res.writeHead(302, { location: `http://127.0.0.1:${b.port}/secret` }).end();
      else if (req.url === '/to-localhost') res.writeHead(307, { location: `http://localhost:${a.port}/final` }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: req.url }));
    };
    const refused = await run({ uri: `http://127.0.0.1:${a.port}/to-b`, headers: { Authorization: 'Bearer t0ken' } });
    expect(refused.tasks[0].status).toBe('FAILED_WITH_TERMINAL_ERROR');
    expect(refused.reasonForIncompletion).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    expect(b.t.seen).toHaveLength(0);
    const followed = await run({
      uri: `http://127.0.0.1:${a.port}/to-localhost`,
      method: 'POST',
      body: { n: 1 },
      headers: { Authorization: 'Bearer t0ken', 'X-Trace': 'kept' },
    });
    expect(followed.status).toBe('COMPLETED');
    expect(followed.tasks[0].outputData.response.body).toEqual({ at: '/final' });
    const final = a.t.seen.find((x) => x.url === '/final');
    expect(final?.headers.authorization).toBeUndefined();
    expect(final?.headers['x-trace']).toBe('kept');
    expect(a.t.seen.find((x) => x.url === '/to-localhost')?.headers.authorization).toBe('Bearer t0ken');
  });

  it('caps the response size, declared or streamed', async () => {
    const { t, port } = await target();
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: `127.0.0.1:${port}`, BATON_HTTP_MAX_RESPONSE_BYTES: '2048' } });
    const big = 'x'.repeat(10_000);
    t.handle = (req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': String(big.length) }).end(big);
      else {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(big.slice(0, 1000));
        res.end();
      }
    };
    for (const path of ['/declared', '/streamed']) {
      const wf = await run({ uri: `http://127.0.0.1:${port}${path}` });
      expect([path, wf.status]).toEqual([path, 'FAILED']);
      expect(wf.reasonForIncompletion).toContain('above the limit of 2048 bytes (BATON_HTTP_MAX_RESPONSE_BYTES)');
      expect(JSON.stringify(wf.tasks[0].outputData).length).toBeLessThan(2048);
    }
    const ok = await run({ uri: `http://127.0.0.1:${port}/declared`, method: 'HEAD' });
    expect(ok.status).toBe('COMPLETED');
  });

  it('refuses timeouts above their bounds, naming the field, for good', async () => {
    const { port } = await target();
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: `127.0.0.1:${port}`, BATON_HTTP_MAX_READ_TIMEOUT_MS: '60000' } });
    const read = await run({ uri: `http://127.0.0.1:${port}/`, readTimeOut: 1e18 });
    expect(read.tasks[0].status).toBe('FAILED_WITH_TERMINAL_ERROR');
    expect(read.reasonForIncompletion).toBe(
      'readTimeOut 1000000000000000000 ms is above the limit of 60000 ms (BATON_HTTP_MAX_READ_TIMEOUT_MS)',
    );
    const connect = await run({ uri: `http://127.0.0.1:${port}/`, connectionTimeOut: 1e308 });
    expect(connect.reasonForIncompletion).toMatch(
      /^connectionTimeOut .* is above the limit of 30000 ms \(BATON_HTTP_MAX_CONNECT_TIMEOUT_MS\)$/,
    );
    expect((await run({ uri: `http://127.0.0.1:${port}/`, readTimeOut: 60_000 })).status).toBe('COMPLETED');
  });

  it('reuses connections between tasks (keep-alive)', async () => {
    const { t, port } = await target();
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: `127.0.0.1:${port}` } });
    for (let i = 0; i < 4; i++) expect((await run({ uri: `http://127.0.0.1:${port}/n${i}` })).status).toBe('COMPLETED');
    expect(t.seen).toHaveLength(4);
    expect(new Set(t.seen.map((x) => x.remotePort)).size).toBe(1);
  });

  it('keeps URL credentials out of reasons and logs', async () => {
    const { port } = await target();
    const closed = await target();
    await closed.t.close();
    targets.pop();
    const { log, lines } = capturedLog('debug');
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: '127.0.0.1' }, log });
    const wf = await run({
      uri: `http://admin:hunter2@127.0.0.1:${closed.port}/x?api_key=k3y&page=1`,
      headers: { Authorization: 'Bearer t0ken' },
    });
    expect(wf.status).toBe('FAILED');
    expect(wf.reasonForIncompletion).toContain(`http://***:***@127.0.0.1:${closed.port}/x?api_key=***&page=1`);
    const refused = await run({ uri: `http://admin:hunter2@10.0.0.1:${port}/` });
    expect(refused.reasonForIncompletion).toContain('***:***@10.0.0.1');
    for (const secret of ['hunter2', 'k3y']) {
      expect(wf.reasonForIncompletion).not.toContain(secret);
      expect(refused.reasonForIncompletion).not.toContain(secret);
      expect(lines()).not.toContain(secret);
    }
    expect(lines()).toContain('task gave up');
  });

  it('aborts the request of a terminated workflow, freeing its slot for the next task', async () => {
    const { t, port } = await target();
    s = await startTestServer('sqlite', { env: { BATON_HTTP_TASK_ALLOW: `127.0.0.1:${port}`, BATON_HTTP_CONCURRENCY: '1' } });
    let hang = true;
    const closedEarly: string[] = [];
    t.handle = (req, res) => {
      if (hang) {
        res.on('close', () => closedEarly.push(req.url ?? ''));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    const def = (name: string, path: string) => ({
      name,
      version: 1,
      tasks: [
        {
          name: 'call',
          taskReferenceName: 'call',
          type: 'HTTP',
          inputParameters: { http_request: { uri: `http://127.0.0.1:${port}${path}`, readTimeOut: 120_000 } },
        },
      ],
    });
    await s.req('PUT', '/api/metadata/workflow', [def('slow_one', '/slow'), def('next_one', '/next')]);
    const slow = (await s.req('POST', '/api/workflow/slow_one', {})).text;
    await eventually(
      async () => t.seen.length,
      (n) => n === 1,
      10_000,
    );
    const next = (await s.req('POST', '/api/workflow/next_one', {})).text;
    hang = false;
    expect((await s.req('DELETE', `/api/workflow/${slow}`)).status).toBe(200);
    const done = await eventually(
      async () => (await s!.req('GET', `/api/workflow/${next}`)).body,
      (w) => w.status !== 'RUNNING',
      15_000,
    );
    expect(done.status).toBe('COMPLETED');
    expect(closedEarly).toEqual(['/slow']);
  });
});
