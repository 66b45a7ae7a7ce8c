import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, seriousViolations, until, type PageProbe } from './helpers/browser';
import { startUiEngine, type UiEngine } from './helpers/engine';

jest.setTimeout(180_000);

/** A definition with two of the problems the server refuses (a duplicate reference, a missing name) and an unregistered task. */
const brokenYaml = `name: ui_showcase
version: 1
tasks:
  - name: ui_validate
    taskReferenceName: validate
    type: SIMPLE
  - taskReferenceName: charge
    type: SIMPLE
  - name: ui_charge
    taskReferenceName: validate
    type: SIMPLE
`;

const fixedYaml = `name: ui_showcase
description: A shorter flow
version: 1
tasks:
  - name: ui_validate
    taskReferenceName: validate
    type: SIMPLE
  - name: ui_charge
    taskReferenceName: charge
    type: SIMPLE
  - name: not_registered_yet
    taskReferenceName: audit
    type: SIMPLE
`;

/** /workflowDefs and /workflowDef/{name}/{version}: list, graph, source, the validating editor, versions and their diff. */
describe('workflow definitions pages', () => {
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

  const editor = () => page.getByRole('textbox', { name: /^Definition in (JSON|YAML)$/ });
  /** Replaces the editor's text as a paste would (typing JSON key by key would fight the editor's bracket closing). */
  const paste = async (text: string) => {
    await editor().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
  };

  it('lists every definition with its versions, and filters them', async () => {
    await page.goto(`${e.url}/workflowDefs`);
    const table = page.getByRole('table', { name: 'Workflow definitions' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(5);
    expect(await table.locator('tbody tr', { hasText: 'ui_showcase' }).textContent()).toContain('v1');
    await page.getByLabel('Filter').fill('big');
    expect(await table.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Filter').fill('zzz');
    await page.getByRole('heading', { name: 'No definition matches' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows a definition as a graph and as JSON or YAML', async () => {
    await page.goto(`${e.url}/workflowDef/ui_showcase/1`);
    await page.getByTestId('graph').waitFor();
    // Definition nodes carry no run state; loops are boxes holding their body.
    expect(await page.locator('.react-flow__node').count()).toBe(13);
    expect(await page.locator('.gloop', { hasText: 'notify_loop (DO_WHILE)' }).count()).toBe(1);
    await screenshot(page, 'workflow-def-graph');
    await page.getByRole('tab', { name: 'JSON / YAML' }).click();
    const source = page.getByRole('textbox', { name: 'ui_showcase v1 as JSON' });
    await source.waitFor();
    expect(await source.textContent()).toContain('"taskReferenceName": "validate"');
    await page.getByText('YAML', { exact: true }).click();
    await until(
      'YAML',
      () => page.getByRole('textbox', { name: 'ui_showcase v1 as YAML' }).textContent(),
      (t) => !!t?.includes('name: ui_showcase'),
    );
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('validates as you type with the server’s checks, each problem at its place', async () => {
    await page.goto(`${e.url}/workflowDef/ui_showcase/1`);
    await page.getByRole('tab', { name: 'Edit' }).click();
    await editor().waitFor();
    expect(await page.getByTestId('validity').textContent()).toBe('Valid');
    await page.getByText('YAML', { exact: true }).click();
    await until(
      'YAML text',
      () => editor().textContent(),
      (t) => !!t?.includes('name: ui_showcase'),
    );
    await paste(brokenYaml);
    await until(
      'two problems',
      () => page.getByTestId('validity').textContent(),
      (t) => t === '2 problems',
    );
    const problems = await page.getByTestId('problems').locator('li').allTextContents();
    expect(problems).toEqual([
      expect.stringMatching(/^\/tasks\/1\/name error is required/),
      expect.stringMatching(/^\/tasks\/2\/taskReferenceName error .*validate/),
    ]);
    // Marked in the text, at the pointer: the duplicate is underlined on its own line.
    await until(
      'the marks',
      () => page.locator('.cm-lintRange-error').count(),
      (n) => n === 2,
    );
    const marked = await page.locator('.cm-lintRange-error').allTextContents();
    expect(marked.join('|')).toContain('taskReferenceName: validate');
    // A problem in the list takes the cursor to it.
    await page.getByTestId('problems').getByRole('button', { name: '/tasks/2/taskReferenceName' }).click();
    const line = await page.locator('.cm-activeLine').textContent();
    expect(line).toContain('taskReferenceName: validate');
    expect(await page.getByRole('button', { name: /^Register as v2$/ }).isDisabled()).toBe(true);
    await screenshot(page, 'workflow-def-editor-problems');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('warns about unregistered tasks and registers a new version', async () => {
    await page.goto(`${e.url}/workflowDef/ui_showcase/1`);
    await page.getByRole('tab', { name: 'Edit' }).click();
    await editor().waitFor();
    await page.getByText('YAML', { exact: true }).click();
    await paste(fixedYaml);
    await until(
      'valid with a warning',
      () => page.getByTestId('validity').textContent(),
      (t) => t === 'Valid, 1 warning',
    );
    expect(await page.getByTestId('problems').textContent()).toContain("no task definition named 'not_registered_yet' is registered");
    // The preview follows the text.
    await until(
      'the preview of 3 steps',
      () => page.locator('.editor-graph .react-flow__node').count(),
      (n) => n === 5,
    );
    await page.getByRole('button', { name: 'Register as v2' }).click();
    await page.waitForURL('**/workflowDef/ui_showcase/2');
    await page.locator('.toast', { hasText: 'ui_showcase v2 registered' }).waitFor();
    const v2 = await e.call('GET', '/api/metadata/workflow/ui_showcase?version=2');
    expect(v2.tasks.map((t: { taskReferenceName: string }) => t.taskReferenceName)).toEqual(['validate', 'charge', 'audit']);
    expect((await e.call('GET', '/api/metadata/workflow/ui_showcase?version=1')).tasks).toHaveLength(6);
  });

  it('compares two versions side by side', async () => {
    await page.goto(`${e.url}/workflowDef/ui_showcase/2`);
    await page.getByRole('tab', { name: 'Compare versions' }).click();
    await page.getByTestId('diff-view').waitFor();
    expect(await page.getByLabel('Left').inputValue()).toBe('1');
    expect(await page.getByLabel('Right').inputValue()).toBe('2');
    await until(
      'changed lines',
      () => page.locator('.cm-changedLine').count(),
      (n) => n > 0,
    );
    expect(await page.getByRole('textbox', { name: 'ui_showcase v2' }).textContent()).toContain('not_registered_yet');
    await screenshot(page, 'workflow-def-diff');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('refuses to register an existing version, and shows the engine’s problem', async () => {
    await page.goto(`${e.url}/workflowDef`);
    await editor().waitFor();
    await page.getByText('YAML', { exact: true }).click();
    await paste(fixedYaml.replace('version: 1', 'version: 2'));
    await until(
      'valid',
      () => page.getByTestId('validity').textContent(),
      (t) => !!t?.startsWith('Valid'),
    );
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const refused = page.locator('.action-error');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/The engine refused: .*version 2 exists.*\(HTTP 409/);
  });

  it('writes a new definition from the template and starts a run of it', async () => {
    await page.goto(`${e.url}/workflowDefs`);
    await page.getByRole('link', { name: 'New definition' }).click();
    await page.waitForURL('**/workflowDef');
    await editor().waitFor();
    // The template's task is not registered: a warning, once the task definitions are read.
    await until(
      'the template checked',
      () => page.getByTestId('validity').textContent(),
      (t) => t === 'Valid, 1 warning',
    );
    await page.getByText('YAML', { exact: true }).click();
    await paste(
      `name: ui_from_the_ui\nversion: 1\ninputParameters: [orderId]\ntasks:\n  - name: ui_validate\n    taskReferenceName: validate\n    type: SIMPLE\n    inputParameters:\n      orderId: \${workflow.input.orderId}\n`,
    );
    await until(
      'valid',
      () => page.getByTestId('validity').textContent(),
      (t) => t === 'Valid',
    );
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.waitForURL('**/workflowDef/ui_from_the_ui/1');
    await page.getByRole('button', { name: 'Start a run…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start ui_from_the_ui v1' });
    expect(JSON.parse(await dialog.getByLabel('Input').inputValue())).toEqual({ orderId: null });
    await dialog.getByLabel('Input').fill('{"orderId": "F-9"}');
    await dialog.getByLabel('Correlation id (optional)').fill('from-the-ui');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/execution\/[0-9a-f-]{36}$/);
    await until(
      'the run to complete',
      () => page.getByTestId('execution').getAttribute('data-status'),
      (s) => s === 'COMPLETED',
      60_000,
    );
    expect(await page.getByRole('link', { name: 'from-the-ui' }).count()).toBe(1);
    expect(p.errors).toEqual([]);
  });
});
