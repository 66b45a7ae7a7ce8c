import type { Browser } from 'playwright-core';
import { ADMIN, authEnv } from '../../engine/test/helpers/auth';
import { launchBrowser, openPage, screenshot, seriousViolations, until } from './helpers/browser';
import { openTask, startUiEngine, waitForRun, type UiEngine } from './helpers/engine';

jest.setTimeout(180_000);

/** With authentication on: sign in with a key, the token kept for the tab's session, roles as the engine grants them. */
describe('the UI with authentication on', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let viewer: { keyId: string; keySecret: string };
  let runId = '';

  beforeAll(async () => {
    e = await startUiEngine(authEnv, async (url) => ({ 'x-authorization': await tokenOf(url, ADMIN.keyId, ADMIN.keySecret) }));
    viewer = await e.call('POST', '/api/admin/keys', { role: 'viewer', description: 'ui test viewer' });
    runId = await e.call('POST', '/api/workflow/ui_showcase', { orderId: 'S-7', express: false });
    await waitForRun(e, runId, (w) => !!openTask(w, 'approve'), 'the run to wait for approval');
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  it('asks for a key, refuses a wrong secret, and keeps the token for the session only', async () => {
    const { page, context, errors } = await openPage(browser);
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/workflow/search')) sent.push(r.headers()['x-authorization'] ?? '(none)');
    });
    try {
      await page.goto(`${e.url}/executions`);
      await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();
      await screenshot(page, 'sign-in');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Key id').fill(ADMIN.keyId);
      await page.getByLabel('Key secret').fill('not-the-secret-at-all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await page.getByRole('alert').textContent()).toMatch(/HTTP 401.*INVALID_CREDENTIALS/);
      await page.getByLabel('Key secret').fill(ADMIN.keySecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Executions', level: 1 }).waitFor();
      expect(await page.locator('.who-key').textContent()).toBe(`${ADMIN.keyId} admin`);
      const token = await page.evaluate(() => sessionStorage.getItem('baton.token'));
      expect(token).toMatch(/^ey/);
      // Only the token is stored, never the secret.
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
      expect(stored).not.toContain(ADMIN.keySecret);
      await until(
        'a search sent with the token',
        async () => sent,
        (s) => s.includes(token as string),
      );
      await page.getByRole('link', { name: runId }).waitFor();
      // A reload keeps the session; a new tab (new session storage) asks again.
      await page.reload();
      await page.getByRole('link', { name: runId }).waitFor();
      const other = await context.newPage();
      await other.goto(`${e.url}/executions`);
      await until(
        'a new tab without the session',
        () => other.evaluate(() => sessionStorage.getItem('baton.token')),
        (t) => t === null,
      );
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('baton.token'))).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('asks again when the token stops working', async () => {
    const { page, context } = await openPage(browser);
    try {
      await page.goto(`${e.url}/executions`);
      await page.getByLabel('Key id').fill(ADMIN.keyId);
      await page.getByLabel('Key secret').fill(ADMIN.keySecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Executions', level: 1 }).waitFor();
      await page.evaluate(() => sessionStorage.setItem('baton.token', 'eyJ.not.valid'));
      await page.getByRole('link', { name: 'Task definitions' }).click();
      await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();
      expect(await page.locator('.notice').textContent()).toMatch(/Your session ended: .*token/i);
    } finally {
      await context.close();
    }
  });

  it('shows a viewer masked payloads, plainly, and no actions', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(`${e.url}/execution/${runId}`);
      await page.getByLabel('Key id').fill(viewer.keyId);
      await page.getByLabel('Key secret').fill(viewer.keySecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('execution').waitFor();
      expect(await page.getByRole('note').first().textContent()).toContain('You are signed in as a viewer');
      expect(await page.locator('.who-key').textContent()).toBe(`${viewer.keyId} viewer`);
      // Actions are there, disabled, saying why.
      const pause = page.getByRole('button', { name: 'Pause' });
      expect(await pause.isDisabled()).toBe(true);
      expect(await pause.getAttribute('title')).toBe('Your role may read runs but not change them');
      // Payloads: the shape is shown, the values masked, and the page says so.
      await page.getByRole('tab', { name: 'Input and output' }).click();
      const note = page.locator('.masked-note').first();
      await note.waitFor();
      expect(await note.textContent()).toContain('Masked: your role (viewer) sees the fields of the input but not their values.');
      expect(await page.locator('.data-grid pre').first().textContent()).toContain('"orderId": "***"');
      await page.getByRole('tab', { name: 'Graph' }).click();
      await page
        .getByTestId('graph')
        .getByRole('button', { name: /^ui_validate \(/ })
        .click();
      await page.getByTestId('task-panel').getByRole('tab', { name: 'Logs' }).click();
      await page.getByText('Masked: your role (viewer) does not see log lines.').waitFor();
      expect(await page.getByTestId('task-panel').getByRole('button', { name: 'Complete…' }).count()).toBe(0);
      // The engine masks the log lines themselves (auth/mask.ts), not only the page.
      const validate = (await e.call('GET', `/api/workflow/${runId}`)).tasks.find(
        (t: { referenceTaskName: string }) => t.referenceTaskName === 'validate',
      );
      const viewerToken = await tokenOf(e.url, viewer.keyId, viewer.keySecret);
      const lines = (await e.server.req('GET', `/api/tasks/${validate.taskId}/log`, undefined, { 'x-authorization': viewerToken })).body;
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l: { log: string }) => l.log === '***')).toBe(true);
      await screenshot(page, 'execution-viewer');
      expect(await seriousViolations(page)).toEqual([]);
      // Policies: readable, not changeable.
      await page.goto(`${e.url}/taskDef/ui_charge`);
      await page.getByText('Your role may read policies but not change them.').waitFor();
      expect(await page.getByRole('button', { name: /^Save/ }).isDisabled()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

async function tokenOf(url: string, keyId: string, keySecret: string): Promise<string> {
  const r = await fetch(`${url}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ keyId, keySecret }),
  });
  if (!r.ok) throw new Error(`token: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}
