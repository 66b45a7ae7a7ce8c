import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { AesGcmCodec, BatonClient, BatonWorker, createCodecServer } from '@baton/workers-sdk';
import { startTestServer, type TestServer } from '../../engine/test/helpers/server';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';

jest.setTimeout(240_000);

/**
 * Encoded payloads in the UI (docs/payloads.md, "Codecs"): the page shows that fields are
 * encrypted, and, once the user sets their codec endpoint, shows them decoded by it, called from
 * the browser: the engine is never asked to decode and never sees a key.
 */
describe('encoded payloads in the UI', () => {
  const codec = new AesGcmCodec({ keys: { k1: AesGcmCodec.generateKey() }, currentKeyId: 'k1' });
  let s: TestServer;
  let worker: BatonWorker;
  let codecServer: Server;
  let codecUrl = '';
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: PageProbe;
  let page: Page;
  let runId = '';
  const decodeCalls: string[] = [];

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    const client = new BatonClient({ serverUrl: s.url, codec });
    await client.registerTaskDefs([{ name: 'ui_codec_task', retryCount: 0 }]);
    await client.registerWorkflowDef(
      {
        name: 'ui_codec',
        version: 1,
        payloadCodec: { clearFields: ['orderId'] },
        tasks: [
          {
            name: 'ui_codec_task',
            taskReferenceName: 'pay',
            inputParameters: { orderId: '${workflow.input.orderId}', card: '${workflow.input.card}' },
          },
        ],
      },
      { overwrite: true },
    );
    worker = new BatonWorker({ serverUrl: s.url, codec, pollTimeoutMs: 200 });
    worker.register<{ card: string }>({ taskType: 'ui_codec_task', handler: (task) => ({ last4: task.card.slice(-4), approved: true }) });
    await worker.start();
    const inner = createCodecServer(codec, { allowedOrigins: [s.url] });
    inner.on('request', (req) => decodeCalls.push(`${req.method} ${req.url}`));
    codecServer = inner;
    await new Promise<void>((resolve) => codecServer.listen(0, '127.0.0.1', resolve));
    codecUrl = `http://127.0.0.1:${(codecServer.address() as AddressInfo).port}`;
    runId = await client.startWorkflow('ui_codec', { orderId: 'U-1', card: '4000-0000-0000-0002' });
    await client.waitForWorkflow(runId, { timeoutMs: 60_000 });
    ({ browser, close: closeBrowser } = await launchBrowser());
    p = await openPage(browser);
    page = p.page;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await worker?.stop();
    await s?.close();
    await new Promise((resolve) => codecServer?.close(resolve));
  });

  const input = () => page.locator('.data-grid section').filter({ has: page.getByRole('heading', { name: 'Input', exact: true }) });

  it('says the input is encrypted, then decodes it through the endpoint the user sets', async () => {
    await page.goto(`${s.url}/execution/${runId}`);
    await page.getByTestId('execution').waitFor();
    await page.getByRole('tab', { name: 'Input and output' }).click();
    const section = input();
    await section.locator('[data-codec="no-endpoint"]').waitFor();
    expect(await section.locator('pre').textContent()).toContain('"__baton_codec": "aes-256-gcm"');
    expect(await section.locator('pre').textContent()).not.toContain('4000-0000-0000-0002');
    expect(decodeCalls).toEqual([]);

    await section.getByRole('button', { name: 'Set a codec endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Codec endpoint' });
    await dialog.getByLabel('Codec endpoint URL').fill('ftp://nope');
    expect(await dialog.getByRole('alert').textContent()).toContain('must start with http');
    await dialog.getByLabel('Codec endpoint URL').fill(codecUrl);
    await dialog.getByRole('button', { name: 'Save' }).click();

    await section.locator('[data-codec="decoded"]').waitFor();
    const shown = await section.locator('pre').textContent();
    expect(shown).toContain('"card": "4000-0000-0000-0002"');
    expect(shown).toContain('"orderId": "U-1"');
    expect(await section.locator('[data-codec="decoded"]').textContent()).toContain(`decoded by ${codecUrl}`);
    expect(decodeCalls).toContain('POST /decode');
    expect(p.origins.has(codecUrl)).toBe(true);
    await screenshot(page, 'execution-decoded');

    // As stored, on request; and the setting outlives a reload (localStorage).
    await section.getByRole('button', { name: 'Show as stored' }).click();
    expect(await section.locator('pre').textContent()).toContain('__baton_codec');
    await page.reload();
    await page.getByTestId('execution').waitFor();
    await page.getByRole('tab', { name: 'Input and output' }).click();
    await input().locator('[data-codec="decoded"]').waitFor();
    expect(await page.getByRole('button', { name: /^Codec/ }).textContent()).toContain('✓');
    expect(await seriousViolations(page)).toEqual([]);
    expect(p.errors).toEqual([]);
  });

  it("decodes a task's output too, and says so when the endpoint cannot decode", async () => {
    await page.goto(`${s.url}/execution/${runId}`);
    await page.getByTestId('execution').waitFor();
    await page.getByRole('tab', { name: /^Tasks/ }).click();
    await page.getByTestId('task-rows').getByRole('button', { name: 'pay', exact: true }).click();
    const panel = page.getByTestId('task-panel');
    await panel.getByRole('tab', { name: 'Output' }).click();
    await until(
      'the decoded output',
      () => panel.locator('pre').textContent(),
      (t) => !!t?.includes('"last4": "0002"'),
    );

    await new Promise((resolve) => codecServer.close(resolve));
    codecServer.closeAllConnections();
    await page.reload();
    await page.getByTestId('task-panel').getByRole('tab', { name: 'Output' }).click();
    await page.getByTestId('task-panel').locator('[data-codec="failed"]').waitFor();
    expect(await page.getByTestId('task-panel').locator('pre').textContent()).toContain('__baton_codec');
  });
});
