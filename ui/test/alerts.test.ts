import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';
import { startUiEngine, waitForRun, type UiEngine } from './helpers/engine';

jest.setTimeout(180_000);

/** /alerts: the built-in rules' alerts (GET /api/alerts), as an operator sees them in a real browser. */
describe('alerts page', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;

  beforeAll(async () => {
    e = await startUiEngine();
    ({ browser, close: closeBrowser } = await launchBrowser());
    // The fixtures' flaky worker is broken: these runs fail, their step gives up (poison task).
    const id = await e.call('POST', '/api/workflow/ui_flaky_flow', {});
    await waitForRun(e, id, (w) => w.status === 'FAILED', 'the flaky run to fail');
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  it('lists the active alerts with what they are about, and the rules', async () => {
    await page.goto(`${e.url}/alerts`);
    const active = page.getByRole('table', { name: 'Active alerts' });
    await active.waitFor();
    const rules = await until(
      'both alerts',
      async () => (await active.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')))).sort(),
      (r) => r.length === 2,
    );
    expect(rules).toEqual(['poisonTask', 'runFailed']);
    expect(await active.locator('tr[data-rule="runFailed"]').textContent()).toContain('ui_flaky_flow');
    await active.locator('tr[data-rule="poisonTask"]').getByRole('link', { name: 'ui_flaky' }).waitFor();
    const ruleRows = await page.getByRole('table', { name: 'Alert rules' }).locator('tbody tr').count();
    expect(ruleRows).toBe(3);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).waitFor();
    await screenshot(page, 'alerts');
    expect(await seriousViolations(page)).toEqual([]);
    expect(p.errors).toEqual([]);
  });
});
