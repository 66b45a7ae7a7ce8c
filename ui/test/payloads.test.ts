import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, type PageProbe } from './helpers/browser';
import { startUiEngine, waitForRun, type UiEngine } from './helpers/engine';

jest.setTimeout(240_000);

/** A payload kept in the engine's payload store (docs/payloads.md) shows its path and loads on demand. */
describe('external payloads in the UI', () => {
  let e: UiEngine;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;

  beforeAll(async () => {
    e = await startUiEngine({ BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES: '1024' });
    ({ browser, close: closeBrowser } = await launchBrowser());
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await e?.close();
  });

  it('shows where an external output is and fetches it when asked', async () => {
    await e.call('POST', '/api/metadata/taskdefs', [{ name: 'ui_blob' }]);
    await e.call('POST', '/api/metadata/workflow', {
      name: 'ui_blob_flow',
      version: 1,
      tasks: [{ name: 'ui_blob', taskReferenceName: 'blob', type: 'SIMPLE' }],
      outputParameters: { note: '${blob.output.note}' },
    });
    const id: string = await e.call('POST', '/api/workflow/ui_blob_flow', {});
    let task: { taskId: string } | undefined;
    for (let i = 0; i < 50 && !task; i++)
      [task] = await e.call('GET', '/api/tasks/poll/batch/ui_blob?workerid=ui-test&count=1&timeout=200');
    await e.call('POST', '/api/tasks', {
      taskId: task?.taskId,
      status: 'COMPLETED',
      outputData: { note: 'loaded-from-the-payload-store', filler: 'f'.repeat(4000) },
    });
    await waitForRun(e, id, (w) => w.status === 'COMPLETED', 'the run to complete');

    await page.goto(`${e.url}/execution/${id}`);
    await page.getByTestId('execution').waitFor();
    await page
      .getByTestId('graph')
      .getByRole('button', { name: /^ui_blob \(/ })
      .click();
    const panel = page.getByTestId('task-panel');
    await panel.getByRole('tab', { name: 'Output' }).click();
    const external = panel.getByTestId('external-payload');
    expect(await external.textContent()).toContain(`kept in the payload store: ${id}/`);
    expect(await panel.textContent()).not.toContain('loaded-from-the-payload-store');
    await external.getByRole('button', { name: 'Load the output' }).click();
    await panel.getByText('loaded-from-the-payload-store').first().waitFor();
  });
});
