import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';
import { bigItems, openTask, startUiEngine, waitForRun, type UiEngine } from './helpers/engine';

jest.setTimeout(240_000);

/**
 * /execution/{id}: the live graph, the timeline, the task list and panel, and every action, on
 * real runs served by an SDK worker. Assertions are on what the page shows.
 */
describe('execution page', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;
  let showcase = '';

  beforeAll(async () => {
    e = await startUiEngine();
    ({ browser, close: closeBrowser } = await launchBrowser());
    showcase = await e.call('POST', '/api/workflow/ui_showcase?correlationId=X-1', { orderId: 'X-1', express: true });
    await waitForRun(e, showcase, (w) => !!openTask(w, 'approve'), 'the showcase to reach its HUMAN step');
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  const node = (ref: string) => page.getByTestId('graph').getByRole('button', { name: new RegExp(`^${ref} \\(`) });
  const panel = () => page.getByTestId('task-panel');
  const toast = (text: string) => page.locator('.toast', { hasText: text });
  const badge = () => page.locator('.page-head h1 [data-status]');
  const open = async (id: string) => {
    await page.goto(`${e.url}/execution/${id}`);
    await page.getByTestId('execution').waitFor();
  };

  it('draws the run as a graph, each step coloured and named by its state', async () => {
    await open(showcase);
    await page.getByTestId('graph').waitFor();
    expect(await badge().getAttribute('data-status')).toBe('RUNNING');
    // Steps by their own state: a SWITCH's branch not taken is "not run", the HUMAN step waits.
    expect(await node('ui_validate').getAttribute('aria-label')).toBe('ui_validate (SIMPLE): completed');
    expect(await node('ui_ship').first().getAttribute('aria-label')).toMatch(/not run|completed/);
    const ships = await page
      .getByTestId('graph')
      .getByRole('button', { name: /^ui_ship \(SIMPLE\)/ })
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
    expect(ships.sort()).toEqual(['ui_ship (SIMPLE): completed', 'ui_ship (SIMPLE): not run']);
    expect(await node('approve').getAttribute('aria-label')).toBe('approve (HUMAN): in progress');
    // The fork's branches and the switch's cases are edges with labels.
    // (xyflow draws edges once the nodes are measured, a frame after them.)
    await page.locator('.react-flow__edge-text', { hasText: 'express' }).waitFor();
    expect(await page.locator('.react-flow__edge-text', { hasText: 'express' }).count()).toBe(1);
    expect(await page.locator('.react-flow__edge-text', { hasText: 'default' }).count()).toBe(1);
    await screenshot(page, 'execution-graph');
  });

  it('steps through loop iterations in the graph', async () => {
    await open(showcase);
    const loop = page.getByRole('group', { name: 'iteration of notify_loop' });
    await until(
      'the loop header',
      () => loop.textContent(),
      (t) => !!t?.includes('iteration 3 of 3'),
    );
    await loop.getByRole('button', { name: 'previous iteration' }).click();
    expect(await loop.textContent()).toContain('iteration 2 of 3');
    await node('ui_notify').click();
    expect(await panel().getByRole('heading', { level: 2 }).textContent()).toBe('notify__2');
    expect(await panel().textContent()).toContain('iteration 2');
  });

  it('opens a step: summary, input, output, logs and attempts', async () => {
    await open(showcase);
    await node('ui_validate').click();
    await page.waitForURL(/\/execution\/[^/]+\/[^/]+$/);
    const pn = panel();
    expect(await pn.getByRole('heading', { level: 2 }).textContent()).toBe('validate');
    expect(await pn.textContent()).toContain('ui-test-worker');
    await pn.getByRole('tab', { name: 'Input' }).click();
    expect(await pn.locator('pre').textContent()).toContain('"orderId": "X-1"');
    await pn.getByRole('tab', { name: 'Output' }).click();
    expect(await pn.locator('pre').textContent()).toContain('"speed": "express"');
    await pn.getByRole('tab', { name: 'Logs' }).click();
    await pn.locator('.logs', { hasText: 'validating order X-1' }).waitFor();
    await pn.getByRole('tab', { name: 'Attempts (1)' }).click();
    expect(await pn.locator('.attempts li').count()).toBe(1);
    // The URL names the task: a reload opens the same panel.
    await page.reload();
    expect(await panel().getByRole('heading', { level: 2 }).textContent()).toBe('validate');
    await panel().getByRole('button', { name: 'Close the task panel' }).click();
    await panel().waitFor({ state: 'detached' });
  });

  it('shows a timeline that tells queue wait from run time, and a filterable task list', async () => {
    await open(showcase);
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const timeline = page.getByRole('table', { name: /^Timeline of \d+ attempts/ });
    await timeline.waitFor();
    expect(await timeline.textContent()).toContain('waiting in queue');
    expect(await page.locator('.tbar.wait').count()).toBeGreaterThan(5);
    expect(await page.locator('.tbar.run.st-COMPLETED').count()).toBeGreaterThan(5);
    const validateBar = page.getByTestId('timeline-rows').getByRole('button', { name: 'validate', exact: true });
    expect(await validateBar.getAttribute('title')).toMatch(/claimed after .* in the queue\nran /);
    await screenshot(page, 'execution-timeline');
    await page.getByRole('tab', { name: /^Tasks \(\d+\)$/ }).click();
    await page.getByLabel('Filter').fill('notify__');
    await until(
      'three notify attempts',
      () => page.getByTestId('task-rows').getByRole('row').count(),
      (n) => n === 3,
    );
    await page.getByTestId('task-rows').getByRole('button', { name: 'notify__3' }).click();
    expect(await panel().getByRole('heading', { level: 2 }).textContent()).toBe('notify__3');
  });

  it('completes a HUMAN step with a form, and the run finishes live', async () => {
    await open(showcase);
    await node('approve').click();
    await panel().getByRole('button', { name: 'Complete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Complete approve' });
    // The step names the fields it wants: each has its own input.
    await dialog.getByLabel('approved').fill('true');
    await dialog.getByLabel('comment').fill('looks good');
    const more = dialog.getByLabel('More output (JSON)');
    await more.fill('{ "reviewer": "ops"');
    await dialog.locator('.field-error').waitFor();
    expect(await dialog.getByRole('button', { name: 'Complete' }).isDisabled()).toBe(true);
    await more.fill('{ "reviewer": "ops" }');
    await dialog.getByRole('button', { name: 'Complete' }).click();
    await toast('Task approve completed').waitFor();
    await until(
      'the run to end',
      () => badge().getAttribute('data-status'),
      (s) => s === 'COMPLETED',
      60_000,
    );
    expect(await node('approve').getAttribute('aria-label')).toBe('approve (HUMAN): completed');
    const wf = await e.call('GET', `/api/workflow/${showcase}`);
    expect(wf.output).toEqual({ approved: true });
    expect(wf.tasks.find((t: { referenceTaskName: string }) => t.referenceTaskName === 'approve').outputData).toEqual({
      approved: true,
      comment: 'looks good',
      reviewer: 'ops',
    });
    await page.getByRole('tab', { name: 'Input and output' }).click();
    expect(await page.getByRole('region').or(page.locator('.data-grid')).first().textContent()).toContain('"approved": true');
  });

  it('pauses, resumes, terminates with a reason and removes a run', async () => {
    const id: string = await e.call('POST', '/api/workflow/ui_wait_flow', {});
    await open(id);
    await page.getByRole('button', { name: 'Pause' }).click();
    await until(
      'paused',
      () => badge().getAttribute('data-status'),
      (s) => s === 'PAUSED',
    );
    await page.getByRole('button', { name: 'Resume' }).click();
    await until(
      'running again',
      () => badge().getAttribute('data-status'),
      (s) => s === 'RUNNING',
    );

    await page.getByRole('button', { name: 'Terminate…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Terminate this workflow?' });
    await dialog.getByLabel('Reason (kept on the run)').fill('stopped by the UI test');
    await dialog.getByRole('button', { name: 'Terminate' }).click();
    await until(
      'terminated',
      () => badge().getAttribute('data-status'),
      (s) => s === 'TERMINATED',
    );
    expect(await page.getByRole('note', { name: 'Why the run ended' }).textContent()).toContain('Terminated: stopped by the UI test');

    await page.getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('dialog', { name: 'Remove this workflow?' }).getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL(/\/executions$/);
    expect((await e.server.req('GET', `/api/workflow/${id}`)).status).toBe(404);
  });

  it('retries a failed run after its worker is fixed', async () => {
    const id: string = await e.call('POST', '/api/workflow/ui_flaky_flow', {});
    await waitForRun(e, id, (w) => w.status === 'FAILED', 'the flaky run to fail');
    await open(id);
    expect(await page.getByRole('note', { name: 'Why the run ended' }).textContent()).toContain(
      'Failed: database connection refused (the bug) (failed step: flaky)',
    );
    await page.getByRole('note', { name: 'Why the run ended' }).getByRole('button', { name: 'flaky' }).click();
    expect(await panel().textContent()).toContain('Reason: database connection refused (the bug)');
    await panel().getByRole('tab', { name: 'Attempts (2)' }).click();
    expect(await panel().locator('.attempts li').count()).toBe(2);
    e.controls.flakyBroken = false;
    try {
      await page.getByRole('button', { name: 'Retry', exact: true }).click();
      await toast('Retrying the failed steps').waitFor();
      await until(
        'completed after the retry',
        () => badge().getAttribute('data-status'),
        (s) => s === 'COMPLETED',
        60_000,
      );
    } finally {
      e.controls.flakyBroken = true;
    }
  });

  it('restarts an ended run from the beginning', async () => {
    await open(showcase);
    await until(
      'completed',
      () => badge().getAttribute('data-status'),
      (s) => s === 'COMPLETED',
    );
    await page.getByRole('button', { name: 'Restart…' }).click();
    await page.getByRole('dialog', { name: 'Restart this workflow?' }).getByRole('button', { name: 'Restart' }).click();
    await toast('Workflow restarted').waitFor();
    await until(
      'running from the start',
      () => badge().getAttribute('data-status'),
      (s) => s === 'RUNNING',
    );
    await waitForRun(e, showcase, (w) => !!openTask(w, 'approve'), 'the restarted run to reach approve again');
  });

  /**
   * Rerun and skip use Conductor's routes; until the engine serves them, the page shows the
   * engine's own answer. Either way what a person sees is checked against the engine.
   */
  it('reruns from a task, or shows why the engine refused', async () => {
    const id: string = await e.call('POST', '/api/workflow/ui_flaky_flow', {});
    await waitForRun(e, id, (w) => w.status === 'FAILED', 'the flaky run to fail');
    e.controls.flakyBroken = false;
    await open(id);
    await page.getByRole('button', { name: 'Rerun from a task…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rerun from a task' });
    await dialog.getByRole('button', { name: 'Rerun' }).click();
    const outcome = await Promise.race([
      toast('Rerun started')
        .waitFor()
        .then(() => 'ok' as const),
      dialog
        .locator('.action-error')
        .waitFor()
        .then(() => 'refused' as const),
    ]);
    if (outcome === 'ok') {
      await waitForRun(e, id, (w) => w.status === 'COMPLETED', 'the rerun to complete');
    } else {
      const direct = await e.server.req('POST', `/api/workflow/${id}/rerun`, { reRunFromWorkflowId: id, reRunFromTaskId: 'x' });
      expect(direct.status).toBeGreaterThanOrEqual(400);
      const shown = (await dialog.locator('.action-error').textContent()) ?? '';
      expect(shown).toContain('The engine refused');
      expect(shown).toContain(`HTTP ${direct.status}`);
    }
    e.controls.flakyBroken = true;
  });

  it('skips a waiting step, or shows why the engine refused', async () => {
    const id: string = await e.call('POST', '/api/workflow/ui_wait_flow', {});
    await waitForRun(e, id, (w) => !!openTask(w, 'wait_for_ok'), 'the WAIT step');
    await open(id);
    await node('wait').click();
    await panel().getByRole('button', { name: 'Skip…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Skip wait_for_ok?' });
    await dialog.getByRole('button', { name: 'Skip' }).click();
    const outcome = await Promise.race([
      toast('Step wait_for_ok skipped')
        .waitFor()
        .then(() => 'ok' as const),
      dialog
        .locator('.action-error')
        .waitFor()
        .then(() => 'refused' as const),
    ]);
    if (outcome === 'ok') await waitForRun(e, id, (w) => w.status === 'COMPLETED', 'the run after the skip');
    else expect(await dialog.locator('.action-error').textContent()).toMatch(/The engine refused: .*\(HTTP 4\d\d/);
  });

  it('has a place for signals that shows the engine’s answer', async () => {
    const id: string = await e.call('POST', '/api/workflow/ui_wait_flow', {});
    await open(id);
    await page.getByRole('button', { name: 'Send signal…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send a signal' });
    await dialog.getByLabel('Signal name').fill('approved');
    await dialog.getByLabel('Payload').fill('{"ok": true}');
    await dialog.getByRole('button', { name: 'Send' }).click();
    const direct = await e.server.req('POST', `/api/workflow/${id}/signal/approved`, { ok: true });
    if (direct.status < 300) await toast("Signal 'approved' sent").waitFor();
    else expect(await dialog.locator('.action-error').textContent()).toContain(`HTTP ${direct.status}`);
  });

  it('opens a sub-workflow from its step and completes its WAIT step by hand', async () => {
    const parent: string = await e.call('POST', '/api/workflow/ui_parent', {});
    const withChild = await waitForRun(
      e,
      parent,
      (w) => typeof openTask(w, 'child')?.outputData?.subWorkflowId === 'string',
      'the child to start',
    );
    const childId: string = openTask(withChild, 'child').outputData.subWorkflowId;
    await open(parent);
    await node('child').click();
    await panel().getByRole('link', { name: 'Open sub-workflow' }).click();
    await page.waitForURL(`**/execution/${childId}`);
    await page.getByRole('link', { name: parent }).waitFor();
    await waitForRun(e, childId, (w) => !!openTask(w, 'wait_for_ok'), 'the WAIT step');
    await node('wait').click();
    await panel().getByRole('button', { name: 'Complete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Complete wait_for_ok' });
    await dialog.getByLabel('Output').fill('{"reviewedBy": "ops"}');
    await dialog.getByRole('button', { name: 'Complete' }).click();
    await until(
      'the child to complete',
      () => badge().getAttribute('data-status'),
      (s) => s === 'COMPLETED',
      60_000,
    );
    await waitForRun(e, parent, (w) => w.status === 'COMPLETED', 'the parent to complete');
  });

  it('stays usable on a run of 1,000 tasks: loops and forks collapsed, lists virtualized', async () => {
    const id: string = await e.call('POST', '/api/workflow/ui_big', { items: bigItems(1000) });
    await waitForRun(e, id, (w) => w.status === 'COMPLETED', 'the 1,000-branch run', 120_000);
    await open(id);
    expect(await page.getByTestId('execution').getAttribute('data-tasks')).toBe('1002');
    const group = page.locator('.gnode-group', { hasText: '1000 branches' });
    await group.waitFor();
    expect(await group.textContent()).toContain('1000 completed');
    expect(Number(await page.getByTestId('graph').getAttribute('data-nodes'))).toBeLessThan(10);
    await group.getByRole('button', { name: 'Show branches' }).click();
    await page.locator('.gnode-group', { hasText: '950 more' }).waitFor();
    await page.getByRole('tab', { name: 'Tasks (1002)' }).click();
    // Only the rows in view are in the page.
    const rendered = await page.getByTestId('task-rows').getByRole('row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    await page.getByTestId('task-rows').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.getByTestId('task-rows').getByRole('button', { name: '_ui_item_999' }).waitFor();
    await screenshot(page, 'execution-1000-tasks');
  });

  it('works with the keyboard: skip link, graph nodes, tabs, dialogs', async () => {
    await open(showcase);
    await page.getByTestId('graph').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // A step of the graph is a button: focus it, Enter opens it.
    await node('ui_validate').focus();
    await page.keyboard.press('Enter');
    expect(await panel().getByRole('heading', { level: 2 }).textContent()).toBe('validate');
    // Focus stays on the step (the URL names the task, but it is the same page).
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('ui_validate (SIMPLE): completed');
    // Tabs: arrows move between them.
    await page.getByRole('tab', { name: 'Graph' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Timeline');
    // A dialog opens with Enter and closes with Escape, changing nothing.
    await page.getByRole('button', { name: 'Terminate…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Terminate this workflow?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await e.call('GET', `/api/workflow/${showcase}`)).status).toBe('RUNNING');
  });

  it('passes axe with no serious or critical violations, with a task open, in light and dark mode', async () => {
    for (const dark of [false, true]) {
      const probe = await openPage(browser, { dark });
      try {
        await probe.page.goto(`${e.url}/execution/${showcase}`);
        await probe.page.getByTestId('graph').waitFor();
        await probe.page
          .getByTestId('graph')
          .getByRole('button', { name: /^ui_validate \(/ })
          .click();
        await probe.page.getByTestId('task-panel').waitFor();
        await screenshot(probe.page, `execution${dark ? '-dark' : ''}`);
        expect(await seriousViolations(probe.page)).toEqual([]);
        await probe.page.getByRole('tab', { name: 'Timeline' }).click();
        expect(await seriousViolations(probe.page)).toEqual([]);
        expect(probe.errors).toEqual([]);
      } finally {
        await probe.context.close();
      }
    }
    expect(p.errors).toEqual([]);
  });
});
