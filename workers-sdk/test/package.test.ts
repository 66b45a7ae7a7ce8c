import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess, freePort } from '../../engine/test/helpers/engine-process';

/**
 * The SDK as its users get it: `npm pack` of the SDK (and of @baton/protocol, which it depends on
 * and is published with it), installed into a fresh `npm init -y` project, used with `require`,
 * with `import` and from TypeScript, against an engine started as `npm start` starts it. Runs the
 * built packages: `npm test` builds first.
 */
jest.setTimeout(300_000);

const repo = join(__dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment without what `npm test` adds for its own run (npm_* settings, the test MongoDB). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('npm_') && k !== 'MONGODB_URI' && k !== 'BATON_MONGODB_DB') env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env = cleanEnv(), timeoutMs = 240_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function ok(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(cmd, args, cwd, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The js block marked `<!-- worker-snippet ... -->` in a README. */
function snippetOf(readme: string): string {
  const text = readFileSync(join(repo, readme), 'utf8');
  const match = /<!-- worker-snippet[^>]*-->\s*```js\n([\s\S]*?)```/.exec(text);
  if (!match?.[1]) throw new Error(`${readme} has no worker snippet`);
  return match[1];
}

describe('the packed SDK in a fresh project', () => {
  let dir: string;
  let app: string;
  let engine: EngineProcess;
  const tarballs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sdk-pack-'));
    const packs = join(dir, 'packs');
    app = join(dir, 'app');
    mkdirSync(packs);
    mkdirSync(app);
    // Built by `npm test` already: the packs take dist as it is (prepack would build again).
    for (const workspace of ['protocol', 'workers-sdk']) {
      const out = await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packs], join(repo, workspace));
      const [packed] = JSON.parse(out) as Array<{ filename: string }>;
      if (!packed) throw new Error(`npm pack of ${workspace} answered nothing`);
      tarballs.push(join(packs, packed.filename));
    }
    await ok('npm', ['init', '-y'], app);
    // The registry's packages come from the local cache when it has them (no network then).
    await ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], app);
    engine = new EngineProcess(await freePort(), { BATON_DATA_DIR: join(dir, 'data'), MONGODB_URI: '', LOG_LEVEL: 'warn' });
    await engine.start();
  });

  afterAll(async () => {
    await engine?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is a publishable package: license, engines, exports, files, no workspace-only dependency', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@baton/workers-sdk/package.json'), 'utf8')) as Record<string, any>;
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(Object.keys(pkg.exports)).toEqual(['.', './testing', './package.json']);
    expect(pkg.peerDependenciesMeta['@baton/engine']).toEqual({ optional: true });
    // Every dependency is installed in the fresh project (the engine, an optional peer, is not).
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(app, 'node_modules', dep, 'package.json'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@baton/engine'))).toBe(false);
    const installed = readFileSync(join(app, 'node_modules/@baton/workers-sdk/README.md'), 'utf8');
    expect(installed).toContain('@baton/workers-sdk/testing');
  });

  it("runs the README's worker snippet, as is, in a default npm init project (CommonJS), and ends on SIGTERM", async () => {
    const snippet = snippetOf('workers-sdk/README.md');
    // The root README shows the same snippet.
    expect(snippetOf('README.md')).toBe(snippet);
    writeFileSync(join(app, 'worker.js'), snippet);
    const child = spawn(process.execPath, ['worker.js'], {
      cwd: app,
      env: cleanEnv({ BATON_URL: engine.url }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = Date.now() + 120_000;
      while (!/workflow \S+: COMPLETED/.test(stdout) && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(stdout).toContain(`worker polling ${engine.url} for greet tasks`);
      expect(stdout).toContain('greet: running for Ada');
      expect(stdout).toMatch(/workflow \S+: COMPLETED \{ greeting: 'Hello, Ada!' \}/);
      child.kill('SIGTERM');
      // No process.exit in the library: the process ends by itself once the worker has stopped.
      expect(await closed).toEqual({ code: 0, signal: null });
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('works with import (ES modules), sharing one module instance with require, and the process ends by itself', async () => {
    writeFileSync(
      join(app, 'typed.mjs'),
      `import { createRequire } from 'node:module';
import { BatonClient, BatonWorker, TerminalError, Type } from '@baton/workers-sdk';
const cjs = createRequire(import.meta.url)('@baton/workers-sdk');
if (cjs.TerminalError !== TerminalError) throw new Error('import and require gave two copies of the SDK');
const serverUrl = process.env.BATON_URL;
const worker = new BatonWorker({ serverUrl, pollTimeoutMs: 200 });
worker.register({
  taskType: 'esm_tax',
  inputSchema: Type.Object({ amount: Type.Number() }),
  outputSchema: Type.Object({ tax: Type.Number() }),
  handler: (input) => ({ tax: input.amount / 10 }),
});
await worker.start();
const client = new BatonClient({ serverUrl });
await client.registerWorkflowDef({ name: 'esm_flow', version: 1, tasks: [{ name: 'esm_tax', taskReferenceName: 't', inputParameters: { amount: '\${workflow.input.amount}' } }], outputParameters: { tax: '\${t.output.tax}' } }, { overwrite: true });
const refused = await client.waitForWorkflow(await client.startWorkflow('esm_flow', { amount: 'x' }));
const done = await client.waitForWorkflow(await client.startWorkflow('esm_flow', { amount: 50 }));
console.log(JSON.stringify({ refused: refused.status, reason: refused.reasonForIncompletion, done: done.status, output: done.output }));
await worker.stop();
`,
    );
    const r = await run(process.execPath, ['typed.mjs'], app, cleanEnv({ BATON_URL: engine.url }), 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(out).toMatchObject({ refused: 'FAILED', done: 'COMPLETED', output: { tax: 5 } });
    expect(out.reason).toContain('/amount');
  });

  it('gives TypeScript users inferred handler types, with both require and import resolution', async () => {
    const typed = `import { BatonWorker, Type } from '@baton/workers-sdk';
import { BatonTestKit } from '@baton/workers-sdk/testing';
const worker = new BatonWorker({ serverUrl: 'http://localhost:8080' });
worker.register({
  taskType: 'tax',
  inputSchema: Type.Object({ amount: Type.Number() }),
  outputSchema: Type.Object({ tax: Type.Number() }),
  handler: async (input) => {
    const amount: number = input.amount;
    // @ts-expect-error the schema has no such field
    void input.missing;
    return { tax: amount };
  },
});
// @ts-expect-error the handler's output must match the output schema
worker.register({
  taskType: 'bad',
  inputSchema: Type.Object({}),
  outputSchema: Type.Object({ tax: Type.Number() }),
  handler: async () => ({ tax: 'a lot' }),
});
export const kit: Promise<BatonTestKit> | null = null;
`;
    writeFileSync(join(app, 'check.cts'), typed);
    writeFileSync(join(app, 'check.mts'), typed);
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--typeRoots',
      join(repo, 'node_modules/@types'),
    ];
    await ok(process.execPath, [tsc, ...args, 'check.cts', 'check.mts'], app);
  });

  it('says what to install when the test kit is used without the engine', async () => {
    const out = await ok(
      process.execPath,
      [
        '-e',
        "require('@baton/workers-sdk/testing').BatonTestKit.start().then(() => console.log('started?'), (e) => console.log(e.code + ': ' + e.message))",
      ],
      app,
    );
    expect(out).toContain('INVALID_OPTIONS: @baton/workers-sdk/testing runs a real Baton engine');
    expect(out).toContain('npm install --save-dev @baton/engine');
  });
});
