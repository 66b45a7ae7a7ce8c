import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';
import { startUiEngine, waitForRun, type UiEngine } from './helpers/engine';

jest.setTimeout(180_000);

/** /executions: search with filters, live results, pagination, bulk actions, as a person uses them. */
describe('executions page', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;
  const waits: string[] = [];
  let flakyId = '';

  beforeAll(async () => {
    e = await startUiEngine();
    ({ browser, close: closeBrowser } = await launchBrowser());
    await e.call('POST', '/api/workflow/ui_showcase?correlationId=X-1', { orderId: 'X-1', express: true });
    flakyId = await e.call('POST', '/api/workflow/ui_flaky_flow', {});
    for (let i = 0; i < 27; i++) waits.push(await e.call('POST', `/api/workflow/ui_wait_flow?correlationId=wait-${i}`, { n: i }));
    await waitForRun(e, flakyId, (w) => w.status === 'FAILED', 'the flaky run to fail');
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  const rows = () => page.locator('table[aria-label="Executions"] tbody tr');

  it('lists the runs, newest first, a page at a time', async () => {
    await page.goto(`${e.url}/executions`);
    await rows().first().waitFor();
    expect(await rows().count()).toBe(25);
    expect(await page.getByRole('navigation', { name: 'Pages' }).textContent()).toContain('1–25 of 29');
    await page.getByRole('button', { name: 'Next' }).click();
    await until(
      'page 2',
      () => page.getByRole('navigation', { name: 'Pages' }).textContent(),
      (t) => !!t?.includes('26–29 of 29'),
    );
    // The pager's label and the rows render from the same answer, but not in one frame.
    await until(
      'page 2 rows',
      () => rows().count(),
      (n) => n === 4,
    );
    expect(page.url()).toContain('start=25');
    await screenshot(page, 'executions');
    expect(p.errors).toEqual([]);
  });

  it('shows a failed run with its status and reason, and links to it', async () => {
    await page.goto(`${e.url}/executions?status=FAILED`);
    await until(
      'one failed run',
      () => rows().count(),
      (n) => n === 1,
    );
    const row = rows().first();
    expect(await row.textContent()).toContain('ui_flaky_flow');
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('FAILED');
    expect(await row.textContent()).toContain('database connection refused (the bug)');
    await row.getByRole('link', { name: flakyId }).click();
    await page.waitForURL(`**/execution/${flakyId}`);
  });

  it('filters by status and workflow with the menus, and shows the query it sends', async () => {
    await page.goto(`${e.url}/executions`);
    await rows().first().waitFor();
    await page.locator('summary', { hasText: 'Status:' }).click();
    await page.getByRole('checkbox', { name: 'RUNNING' }).check();
    await page.waitForURL(/status=RUNNING/);
    await page.locator('summary', { hasText: 'Workflow:' }).click();
    await page.getByRole('checkbox', { name: 'ui_showcase' }).check();
    await until(
      'the filtered list',
      () => rows().count(),
      (n) => n === 1,
    );
    expect(await rows().first().textContent()).toContain('ui_showcase');
    await page.getByRole('button', { name: 'Query…' }).click();
    expect(await page.getByTestId('query-preview').textContent()).toBe('workflowType IN (ui_showcase) AND status IN (RUNNING)');
  });

  it('filters by correlation id and by words in the input', async () => {
    await page.goto(`${e.url}/executions`);
    await rows().first().waitFor();
    await page.getByLabel('Correlation id').fill('wait-3');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await until(
      'one run of wait-3',
      () => rows().count(),
      (n) => n === 1,
    );
    expect(await rows().first().textContent()).toContain('wait-3');

    await page.goto(`${e.url}/executions`);
    await rows().first().waitFor();
    await page.getByLabel('Words in input or output').fill('X-1');
    await page.getByLabel('Words in input or output').press('Enter');
    await until(
      'the X-1 order',
      () => rows().allTextContents(),
      (t) => t.length === 1 && t[0]!.includes('ui_showcase'),
    );
  });

  it('says so when nothing matches, with a way back', async () => {
    await page.goto(`${e.url}/executions?name=ui_big`);
    await page.getByRole('heading', { name: 'No execution matches these filters' }).waitFor();
    await page.getByRole('link', { name: 'Clear all filters' }).click();
    await rows().first().waitFor();
  });

  it('shows new runs without a reload while Live is on', async () => {
    await page.goto(`${e.url}/executions?name=ui_parent`);
    await page.getByRole('heading', { name: 'No execution matches these filters' }).waitFor();
    const id: string = await e.call('POST', '/api/workflow/ui_parent', {});
    await page.getByRole('link', { name: id }).waitFor({ timeout: 60_000 });
  });

  it('shows times in the user’s zone with the exact value on hover', async () => {
    await page.goto(`${e.url}/executions`);
    const time = rows().first().locator('time').first();
    await time.waitFor();
    const ms = Number(await time.getAttribute('data-ms'));
    const title = (await time.getAttribute('title')) ?? '';
    // The browser runs in Europe/Berlin (helpers/browser.ts): the hover names that zone's offset and the UTC instant.
    expect(title).toContain(new Date(ms).toISOString());
    expect(title).toMatch(/GMT\+1|CET|GMT\+2|CEST/);
    expect(title).toContain(`${ms} ms since epoch`);
  });

  it('terminates selected runs in bulk after a confirmation', async () => {
    await page.goto(`${e.url}/executions?name=ui_wait_flow&status=RUNNING&size=50`);
    // Our 27 and the parent's child wait: every waiting run is on this one page.
    const before = await until(
      'the waiting runs',
      () => rows().count(),
      (n) => n >= 27,
    );
    await page.getByRole('checkbox', { name: `Select ${waits[0]}` }).check();
    await page.getByRole('checkbox', { name: `Select ${waits[1]}` }).check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    expect(await bar.textContent()).toContain('2 selected');
    await bar.getByRole('button', { name: 'Terminate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Terminate 2 workflows?' });
    await dialog.getByRole('button', { name: 'Terminate' }).click();
    await page.locator('.toast', { hasText: 'terminate: 2 done' }).waitFor();
    for (const id of waits.slice(0, 2)) await waitForRun(e, id, (w) => w.status === 'TERMINATED', 'bulk terminate');
    await until(
      'the list without them',
      () => rows().count(),
      (n) => n === before - 2,
    );
  });

  it('passes axe with no serious or critical violations, in light and dark mode', async () => {
    await page.goto(`${e.url}/executions`);
    await rows().first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const dark = await openPage(browser, { dark: true });
    try {
      await dark.page.goto(`${e.url}/executions`);
      await dark.page.locator('table[aria-label="Executions"] tbody tr').first().waitFor();
      await screenshot(dark.page, 'executions-dark');
      expect(await seriousViolations(dark.page)).toEqual([]);
    } finally {
      await dark.context.close();
    }
    expect(p.errors).toEqual([]);
  });
});
