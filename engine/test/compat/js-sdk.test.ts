import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { startTestServer, type TestServer } from '../helpers/server';
import { JS_SDK_DIR, requireProvisioned, runProgram } from './sdk-support';

const SDK_DIR = join(JS_SDK_DIR, 'node_modules', '@io-orkes', 'conductor-javascript');

/**
 * The quickstart of the official JavaScript SDK's README ("Step 3: Run your first workflow app"),
 * taken from the installed package at test time, so that what runs is what a new user copies.
 * One mechanical change: the README puts `@worker(...)` on a function declaration, which
 * TypeScript refuses ("TS1206: Decorators are not valid here") and, when only transpiled, drops,
 * so no worker would run against any server. The decorator is applied as the call it stands for,
 * `worker(...)(greet)`, which is what the SDK's decorator does with a plain function.
 */
export function readmeQuickstart(): { source: string; applied: string } {
  const readme = readFileSync(join(SDK_DIR, 'README.md'), 'utf8');
  const step = readme.indexOf('**Step 3');
  if (step < 0) throw new Error("the SDK's README has no 'Step 3' quickstart any more");
  const block = /```typescript\n([\s\S]*?)```/.exec(readme.slice(step));
  if (!block?.[1]) throw new Error("the SDK's README quickstart has no typescript block");
  const source = block[1];
  const applied = source.replace(/^@worker\((\{[^\n]*\})\)\n(async function (\w+)\()/m, 'worker($1)($3);\n$2');
  return { source, applied };
}

describe('the official JavaScript SDK (@io-orkes/conductor-javascript 4.0.0)', () => {
  let s: TestServer;
  beforeAll(async () => {
    requireProvisioned(SDK_DIR);
    s = await startTestServer('sqlite');
  });
  afterAll(() => s?.close());

  it('runs its README quickstart unchanged: registers a workflow with an unregistered task, runs a TaskHandler worker, executes it', async () => {
    const { source, applied } = readmeQuickstart();
    expect(source).toContain('workflow.execute(');
    expect(source).toContain('new TaskHandler(');
    expect(applied).not.toBe(source); // the decorator line was there and was applied
    const js = ts.transpileModule(applied, {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        experimentalDecorators: true,
        esModuleInterop: true,
      },
    }).outputText;
    const file = join(JS_SDK_DIR, 'quickstart.generated.js');
    writeFileSync(file, js);

    const run = await runProgram(process.execPath, [file], { cwd: JS_SDK_DIR, env: { CONDUCTOR_SERVER_URL: s.url }, timeoutMs: 120_000 });
    const log = `exit ${run.code} ${run.signal ?? ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
    expect({ killed: run.killed, code: run.code, log }).toMatchObject({ killed: false, code: 0 });
    expect(run.stdout).toContain('result: Hello Conductor');

    // What the server saw: one COMPLETED run of 'greetings' whose worker task ran without a task definition.
    const found = await s.req('GET', '/api/workflow/search?query=workflowType%20%3D%20greetings');
    expect(found.body.totalHits).toBe(1);
    expect(found.body.results[0]).toMatchObject({ status: 'COMPLETED', workflowType: 'greetings' });
    expect((await s.req('GET', '/api/metadata/taskdefs/greet')).status).toBe(404);
  }, 180_000);
});
