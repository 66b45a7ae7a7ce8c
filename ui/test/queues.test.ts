import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';
import { startUiEngine, waitForRun, type UiEngine } from './helpers/engine';

jest.setTimeout(180_000);

/** /taskQueue and /poisonTasks: depth, workers, throughput; poison tasks and their bulk retry after a fix. */
describe('queues and poison tasks', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;
  const failed: string[] = [];

  beforeAll(async () => {
    e = await startUiEngine();
    ({ browser, close: closeBrowser } = await launchBrowser());
    // A task type nobody serves: its attempts wait in the queue.
    await e.call('POST', '/api/metadata/taskdefs', [{ name: 'ui_orphan', responseTimeoutSeconds: 30 }]);
    await e.call('POST', '/api/metadata/workflow', {
      name: 'ui_orphan_flow',
      version: 1,
      tasks: [{ name: 'ui_orphan', taskReferenceName: 'orphan', type: 'SIMPLE' }],
    });
    for (let i = 0; i < 2; i++) await e.call('POST', '/api/workflow/ui_orphan_flow', {});
    for (let i = 0; i < 3; i++) failed.push(await e.call('POST', '/api/workflow/ui_flaky_flow', {}));
    for (const id of failed) await waitForRun(e, id, (w) => w.status === 'FAILED', 'the flaky runs to fail');
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  const row = (type: string) => page.getByTestId(`queue-${type}`);

  it('shows each queue’s depth, who polls it, and what ended lately', async () => {
    await page.goto(`${e.url}/taskQueue`);
    await row('ui_orphan').waitFor();
    expect(await row('ui_orphan').getByTestId('depth').textContent()).toBe('2 (no worker polling)');
    expect(await row('ui_orphan').getByTestId('workers').textContent()).toBe('0');
    await until(
      'the worker polling ui_flaky',
      () => row('ui_flaky').getByTestId('workers').textContent(),
      (t) => t === '1',
    );
    // 3 runs × 2 attempts each, all failed, within the last minutes.
    await until(
      'the ended attempts',
      () => row('ui_flaky').getByTestId('ended').textContent(),
      (t) => t === '6 (6 failed)',
    );
    expect(await row('ui_flaky').getByRole('img').getAttribute('aria-label')).toMatch(/\(\+6 failed\)|\(\+\d failed\).*\(\+\d failed\)/);
    await screenshot(page, 'task-queues');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lists the workers polling one queue', async () => {
    await page.goto(`${e.url}/taskQueue`);
    await row('ui_flaky').getByRole('link', { name: 'ui_flaky' }).click();
    await page.waitForURL('**/taskQueue/ui_flaky');
    const workers = page.getByRole('table', { name: 'Workers polling ui_flaky' });
    await workers.waitFor();
    expect(await workers.locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/^ui-test-worker.*polling$/)]);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForURL(/\/taskQueue$/);
  });

  it('lists poison tasks by type, with their reasons', async () => {
    await page.goto(`${e.url}/poisonTasks`);
    const table = page.getByRole('table', { name: 'Poison tasks' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    expect(await table.locator('tbody tr').first().textContent()).toContain('database connection refused (the bug)');
    expect(await page.locator('.group-card').textContent()).toContain('3 poison tasks');
    await screenshot(page, 'poison-tasks');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('retries the picked workflows after a fix, then the rest of the type', async () => {
    e.controls.flakyBroken = false;
    await page.goto(`${e.url}/poisonTasks?taskType=ui_flaky`);
    const table = page.getByRole('table', { name: 'Poison tasks' });
    await table.waitFor();
    const first = failed[0] as string;
    await table.getByRole('checkbox', { name: `Select flaky of ${first}` }).check();
    await page.getByRole('button', { name: 'Retry the selected workflows' }).click();
    const outcome = page.getByTestId('retry-outcome');
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('1 workflow(s) retried.');
    await waitForRun(e, first, (w) => w.status === 'COMPLETED', 'the picked workflow to complete after its retry');

    await page.getByRole('button', { name: 'Retry all of ui_flaky' }).click();
    // The first one is no longer FAILED: the engine says so, and the page shows it.
    await until(
      'the second outcome',
      () => outcome.textContent(),
      (t) => !!t?.includes('2 workflow(s) retried.') && t.includes('1 skipped'),
    );
    expect(await outcome.textContent()).toContain(`${first} is COMPLETED`);
    for (const id of failed) await waitForRun(e, id, (w) => w.status === 'COMPLETED', 'every workflow to complete');
    expect(p.errors).toEqual([]);
  });

  it('says when there is nothing to retry', async () => {
    await page.goto(`${e.url}/poisonTasks?taskType=ui_orphan`);
    await page.getByRole('heading', { name: 'No poison tasks of type ui_orphan' }).waitFor();
  });
});
