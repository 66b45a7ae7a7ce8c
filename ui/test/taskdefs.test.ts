import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';
import { startUiEngine, type UiEngine } from './helpers/engine';

jest.setTimeout(180_000);

/** /taskDefs and /taskDef/{name}: the policy editor, its preview, saving at runtime and the change history. */
describe('task definitions pages', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;

  beforeAll(async () => {
    e = await startUiEngine();
    ({ browser, close: closeBrowser } = await launchBrowser());
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  const preview = () => page.getByTestId('policy-preview');
  const save = () => page.getByRole('button', { name: /^Save \d* ?changes?$/ });

  it('lists the task types with their policies', async () => {
    await page.goto(`${e.url}/taskDefs`);
    const table = page.getByRole('table', { name: 'Task definitions' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(7);
    const charge = await table.locator('tbody tr', { hasText: 'ui_charge' }).textContent();
    expect(charge).toContain('3 × exponential backoff 2 s');
    expect(charge).toContain('30 s');
    await screenshot(page, 'task-defs');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('explains a policy: the retry schedule and the limits', async () => {
    await page.goto(`${e.url}/taskDefs`);
    await page.getByRole('link', { name: 'ui_charge' }).click();
    await page.waitForURL('**/taskDef/ui_charge');
    await preview().waitFor();
    expect(await page.getByRole('list', { name: 'Retry schedule' }).locator('li').allTextContents()).toEqual([
      'retry 1 after 2 s',
      'retry 2 after 4 s',
      'retry 3 after 8 s',
    ]);
    expect(await preview().textContent()).toContain('A failing step is tried 4 times in all');
    expect(await preview().textContent()).toContain('A worker that goes silent for 30 s loses the attempt to another worker.');
    expect(await page.getByRole('region', { name: 'Used by' }).or(page.locator('.used-by')).first().textContent()).toContain('ui_showcase');
  });

  it('shows a problem at its field and refuses to save it', async () => {
    await page.goto(`${e.url}/taskDef/ui_charge`);
    await page.getByLabel('Attempt timeout').fill('10');
    const response = page.getByLabel('Response timeout');
    await until(
      'the field marked invalid',
      () => response.getAttribute('aria-invalid'),
      (v) => v === 'true',
    );
    const error = page.locator('.pfield').filter({ hasText: 'Response timeout' }).locator('.field-error');
    expect(await error.textContent()).toBe('must be <= timeoutSeconds (10), or timeoutSeconds must be 0 (no limit)');
    expect(await save().isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    expect(await page.getByLabel('Attempt timeout').inputValue()).toBe('0');
  });

  it('saves a change at runtime, says when it applies, and records it in the history', async () => {
    await page.goto(`${e.url}/taskDef/ui_charge`);
    await page.getByLabel('Retries', { exact: true }).fill('5');
    // The preview follows as you type: the cap (10 s) holds the last two delays.
    await until(
      '5 retries',
      () => page.getByRole('list', { name: 'Retry schedule' }).locator('li').allTextContents(),
      (l) => l.length === 5,
    );
    expect(await page.getByRole('list', { name: 'Retry schedule' }).locator('li').allTextContents()).toEqual([
      'retry 1 after 2 s',
      'retry 2 after 4 s',
      'retry 3 after 8 s',
      'retry 4 after 10 s',
      'retry 5 after 10 s',
    ]);
    const pending = page.getByTestId('pending-changes');
    expect(await pending.textContent()).toContain('1 unsaved change');
    expect(await pending.textContent()).toContain('retryCount 3 → 5 — takes effect at the next retry decision of every running workflow');
    await screenshot(page, 'task-def-editor');
    await save().click();
    await page.locator('.toast', { hasText: 'Saved ui_charge: retryCount 3 → 5' }).waitFor();
    expect((await e.call('GET', '/api/metadata/taskdefs/ui_charge')).retryCount).toBe(5);
    const history = page.getByTestId('history');
    await until(
      'the change in the history',
      () => history.locator('> li').count(),
      (n) => n >= 2,
    );
    const latest = history.locator('> li').first();
    expect(await latest.textContent()).toMatch(/by anonymous@/);
    expect(await latest.getByRole('row').allTextContents()).toEqual(['FieldBeforeAfter', 'retryCount35']);
    expect(await history.locator('> li').last().textContent()).toContain('created');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('loads an earlier version from the history to save it back', async () => {
    await page.goto(`${e.url}/taskDef/ui_charge`);
    await page.getByTestId('history').locator('> li').first().getByRole('button', { name: 'Load the version before this change' }).click();
    expect(await page.getByLabel('Retries', { exact: true }).inputValue()).toBe('3');
    await save().click();
    await until(
      'retryCount back to 3',
      async () => (await e.call('GET', '/api/metadata/taskdefs/ui_charge')).retryCount,
      (n) => n === 3,
    );
  });

  it('creates a new task definition', async () => {
    await page.goto(`${e.url}/taskDefs`);
    await page.getByRole('link', { name: 'New task definition' }).click();
    await page.waitForURL('**/taskDef');
    await page.getByLabel('Name').fill('ui_new_type');
    await page.getByLabel('Retry logic').selectOption('LINEAR_BACKOFF');
    await page.getByLabel('Backoff factor').fill('3');
    await page.getByLabel('Retry delay').fill('2');
    await until(
      'linear schedule',
      () => page.getByRole('list', { name: 'Retry schedule' }).locator('li').allTextContents(),
      (l) => l[1] === 'retry 2 after 12 s',
    );
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL('**/taskDef/ui_new_type');
    const def = await e.call('GET', '/api/metadata/taskdefs/ui_new_type');
    expect([def.retryLogic, def.backoffScaleFactor, def.retryDelaySeconds, def.retryCount]).toEqual(['LINEAR_BACKOFF', 3, 2, 3]);
    expect(p.errors).toEqual([]);
  });
});
