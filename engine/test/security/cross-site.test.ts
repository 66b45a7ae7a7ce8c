import { rawRequest } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * What a web page open in an operator's browser could send to an unauthenticated engine on
 * localhost: forms and text/plain posts need no CORS preflight, so they must fail on their own.
 */
describe('write endpoints take JSON or YAML only; cross-site requests fail', () => {
  let s: TestServer;
  let waiting = '';
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    await s.req('PUT', '/api/metadata/workflow', [
      { name: 'approval', version: 1, tasks: [{ name: 'ok', taskReferenceName: 'ok', type: 'HUMAN' }] },
    ]);
    waiting = (await s.req('POST', '/api/workflow/approval', {})).text;
  });
  afterAll(async () => {
    await s.close();
  });

  const count = async (): Promise<number> => (await s.req('GET', '/api/workflow/search?workflowName=approval')).body.totalHits;

  it.each([
    ['text/plain', '{"a":1}'],
    ['application/x-www-form-urlencoded', 'a=1'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'],
    ['application/xml', '<a/>'],
  ])('refuses %s with 415 naming the accepted types, and changes nothing', async (type, body) => {
    const before = await count();
    const r = await s.req('POST', '/api/workflow/approval', body, { 'content-type': type });
    expect(r.status).toBe(415);
    expect(r.type).toContain('application/problem+json');
    expect(r.body).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      accepted: ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'],
    });
    expect(r.body.detail).toContain('application/json');
    const human = await s.req('POST', `/api/tasks/${waiting}/ok/COMPLETED`, body, { 'content-type': type });
    expect(human.status).toBe(415);
    expect(await count()).toBe(before);
    expect((await s.req('GET', `/api/workflow/${waiting}`)).body.status).toBe('RUNNING');
  });

  it('refuses a body without a Content-Type (it used to be dropped silently), even an empty-typed form', async () => {
    const res = await fetch(`${s.url}/api/workflow/approval`, { method: 'POST', body: new Uint8Array(Buffer.from('{"x":1}')) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { detail: string }).detail).toContain('needs a Content-Type');
    const emptyForm = await s.req('POST', '/api/workflow/approval', '', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(emptyForm.status).toBe(415);
  });

  it('takes JSON, YAML (with a charset) and requests without any body', async () => {
    expect((await s.req('POST', '/api/workflow/approval', { a: 1 })).status).toBe(200);
    expect((await s.req('POST', '/api/workflow/approval', '{"a":1}', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(
      200,
    );
    expect((await s.req('PUT', '/api/metadata/taskdefs', 'name: yaml_def\n', { 'content-type': 'text/yaml; charset=utf-8' })).status).toBe(
      200,
    );
    const noBody = await fetch(`${s.url}/api/workflow/${waiting}/retry`, { method: 'POST' });
    expect(noBody.status).not.toBe(415);
  });

  it("refuses what a browser sends from another site's page, whatever its type, but lets links to reads through", async () => {
    const before = await count();
    const json = { 'content-type': 'application/json' };
    const post = await rawRequest(
      `${s.url}/api/workflow/approval`,
      'POST',
      { ...json, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' },
      '{"a":1}',
    );
    expect(post.status).toBe(403);
    expect(post.body.code).toBe('CROSS_SITE_REQUEST');
    const retry = await rawRequest(`${s.url}/api/workflow/${waiting}/retry`, 'POST', {
      'sec-fetch-site': 'same-site',
      'sec-fetch-mode': 'no-cors',
    });
    expect(retry.status).toBe(403);
    // A GET with side effects (a claim) is refused even as a navigation; a read is not.
    const poll = await rawRequest(`${s.url}/api/tasks/poll/batch/x?timeout=0`, 'GET', {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
    });
    expect(poll.status).toBe(403);
    const read = await rawRequest(`${s.url}/api/workflow/${waiting}`, 'GET', {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
    });
    expect(read.status).toBe(200);
    // The engine's own pages (same origin) are served as usual.
    expect(
      (
        await rawRequest(
          `${s.url}/api/workflow/approval`,
          'POST',
          { ...json, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' },
          '{"a":1}',
        )
      ).status,
    ).toBe(200);
    expect(await count()).toBe(before + 1);
  });
});
