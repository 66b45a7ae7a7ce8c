import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openPage, screenshot } from './helpers/browser';
import { startUiEngine, type UiEngine } from './helpers/engine';

jest.setTimeout(120_000);

/** How the engine serves the UI: its pages under Conductor UI's paths, without shadowing the API. */
describe('the engine serves the UI', () => {
  let e: UiEngine;
  beforeAll(async () => {
    e = await startUiEngine();
  });
  afterAll(async () => {
    await e?.close();
  });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${e.url}${path}`, { headers, redirect: 'manual' });

  it.each([
    '/',
    '/executions',
    '/execution/some-id',
    '/execution/some-id/some-task',
    '/workflowDefs',
    '/workflowDef',
    '/workflowDef/order_flow',
    '/workflowDef/order_flow/2',
    '/taskDefs',
    '/taskDef',
    '/taskDef/charge',
    '/taskQueue',
    '/taskQueue/charge',
    '/poisonTasks',
  ])('answers %s with the app, never cached', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(await r.text()).toContain('<div id="root"></div>');
  });

  it('leaves the API, health, metrics and the API reference to their routes', async () => {
    const search = await get('/api/workflow/search?size=1');
    expect([search.status, search.headers.get('content-type')]).toEqual([200, expect.stringMatching(/application\/json/)]);
    expect((await get('/health')).headers.get('content-type')).toMatch(/application\/json/);
    expect((await get('/metrics')).headers.get('content-type')).toMatch(/text\/plain/);
    expect((await get('/api-docs')).headers.get('content-type')).toMatch(/application\/json/);
    expect(await (await get('/swagger-ui/')).text()).toContain('swagger-ui');
    const unknownApi = await get('/api/executions');
    expect([unknownApi.status, unknownApi.headers.get('content-type')]).toEqual([404, expect.stringMatching(/problem\+json/)]);
  });

  it('answers unknown paths 404, not with the app', async () => {
    expect((await get('/no-such-page')).status).toBe(404);
    expect((await get('/executions/extra/segments/here')).status).toBe(404);
  });

  it('serves hashed assets for a year and the bundle names no other origin', async () => {
    const dist = join(__dirname, '../dist/assets');
    const files = readdirSync(dist);
    const js = files.find((f) => /^index-.*\.js$/.test(f));
    expect(js).toBeDefined();
    const r = await get(`/assets/${js}`, { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    // The API is not compressed by the UI's router.
    expect((await get('/api/workflow/search?size=1', { 'accept-encoding': 'gzip' })).headers.get('content-encoding')).toBeNull();
    // No <script src> or <link href> to another host: everything the page loads is ours.
    const html = readFileSync(join(__dirname, '../dist/index.html'), 'utf8');
    expect(html.match(/(?:src|href)="(https?:)?\/\/[^"]*"/g)).toBeNull();
  });

  it('lets the page’s same-origin calls through the cross-site guard, and refuses cross-site ones', async () => {
    const sameOrigin = await fetch(`${e.url}/api/workflow/ui_wait_flow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' },
      body: '{}',
    });
    expect(sameOrigin.status).toBe(200);
    const crossSite = await fetch(`${e.url}/api/workflow/ui_wait_flow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
  });

  it('loads in Chromium from the engine alone: every request goes to its own origin', async () => {
    const { browser, close } = await launchBrowser();
    try {
      const p = await openPage(browser);
      await p.page.goto(`${e.url}/executions`);
      await p.page.getByRole('heading', { name: 'Executions', level: 1 }).waitFor();
      await p.page.getByRole('link', { name: 'Workflow definitions' }).click();
      await p.page.getByRole('heading', { name: 'Workflow definitions', level: 1 }).waitFor();
      // A reload of a client-side route comes back to the same page.
      await p.page.reload();
      await p.page.getByRole('heading', { name: 'Workflow definitions', level: 1 }).waitFor();
      await screenshot(p.page, 'workflow-defs');
      expect([...p.origins]).toEqual([new URL(e.url).origin]);
      expect(p.errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
