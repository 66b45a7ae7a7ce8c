import { BatonWorker, TerminalError } from '@baton/workers-sdk';
import { ADMIN, authEnv } from '../../engine/test/helpers/auth';
import { freePort } from '../../engine/test/helpers/engine-process';
import { startTestServer, type TestServer } from '../../engine/test/helpers/server';
import { baton, json } from './helpers';

/**
 * The built `baton` command, spawned as a child process against a real engine (SQLite, HTTP,
 * authentication on) and a real worker: output, --json documents and exit codes (docs/cli.md).
 */
// Each test spawns several Node processes; on a loaded 2-core machine that takes seconds, not a deadline to test.
jest.setTimeout(120_000);

let s: TestServer;
let env: Record<string, string>;
let worker: BatonWorker;
/** The "bug" poison tasks come from: charging an amount of 666 fails terminally until it is fixed. */
let chargeFixed = false;

const basic = `Basic ${Buffer.from(`${ADMIN.keyId}:${ADMIN.keySecret}`).toString('base64')}`;
const admin = (): Record<string, string> => ({ authorization: basic });

beforeAll(async () => {
  s = await startTestServer('sqlite', { env: authEnv });
  env = { BATON_URL: s.url, BATON_API_KEY: `${ADMIN.keyId}:${ADMIN.keySecret}` };
  worker = new BatonWorker({ serverUrl: s.url, workerId: 'cli-test-worker', pollTimeoutMs: 500, headers: admin() });
  worker.register<{ amount: number }, { charged: number }>({
    taskType: 'cli_charge',
    handler: async (input, ctx) => {
      if (input.amount === 666 && !chargeFixed) throw new TerminalError('card declined for good');
      if (input.amount === 13 && ctx.retryCount === 0) throw new Error('card network busy');
      return { charged: input.amount };
    },
  });
  worker.register<{ to: string }, { shipped: string }>({ taskType: 'cli_ship', handler: async (input) => ({ shipped: input.to }) });
  await worker.start();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await s?.close();
});

describe('usage', () => {
  it('documents the exit codes in --help and exits 0', async () => {
    const r = await baton(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit status: 0 ok');
    for (const cmd of ['def', 'start', 'get', 'search', 'watch', 'taskdef', 'poison', 'key']) expect(r.stdout).toContain(`  ${cmd}`);
  });

  it.each([
    [[], 'Usage: baton'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['start'], "missing required argument 'name'"],
    [['start', 'cli_order', '--input', '{"amount":'], '--input'],
    [['start', 'cli_order', '--input', '@no-such-file.json'], 'cannot read no-such-file.json'],
    [['search', '--status', 'DONE'], "'DONE' is not one of"],
    [['search', '--since', 'yesterday-ish'], '--since must be'],
    [['taskdef', 'set', 'cli_ship', 'retryCount'], "'retryCount' is not field=value"],
    [['get', 'x', '--url', 'ftp://example'], '--url (BATON_URL) must be an http(s) URL'],
    [['get', 'x', '--api-key', 'no-colon'], 'must be keyId:keySecret'],
  ])('baton %j exits 2 and says why', async (args, message) => {
    const r = await baton(args as string[], env);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(message);
  });
});

describe('def apply', () => {
  it('refuses invalid files, naming each problem by file and JSON pointer, and registers nothing', async () => {
    const r = await baton(['def', 'apply', 'cli/test/fixtures/bad'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cli/test/fixtures/bad/workflow.yaml#/tasks/0/taskReferenceName');
    expect(r.stderr).toContain('cli/test/fixtures/bad/workflow.yaml#/tasks/1/type');
    expect(r.stderr).toContain('cli/test/fixtures/bad/taskdef.json#/retryCount');
    expect(r.stderr).toContain('nothing was registered');
    expect((await s.req('GET', '/api/metadata/taskdefs/cli_never_registered', undefined, admin())).status).toBe(404);
    expect((await s.req('GET', '/api/metadata/workflow/cli_broken', undefined, admin())).status).toBe(404);
  });

  it('registers a folder of JSON and YAML definitions, task definitions first', async () => {
    const r = await baton(['def', 'apply', 'cli/test/fixtures/good'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // no "unregistered task definition" warnings: task definitions went first
    expect(r.stdout).toMatch(/taskdef\s+cli_charge\s+-\s+cli\/test\/fixtures\/good\/taskdefs\.yaml#\/0\s+applied/);
    expect(r.stdout).toMatch(/workflow\s+cli_order\s+1\s+cli\/test\/fixtures\/good\/workflow\.json\s+applied/);
    const again = json<Array<{ kind: string; name: string; version: number | null }>>(
      await baton(['def', 'apply', 'cli/test/fixtures/good', '--json'], env),
    );
    expect(again.map((d) => `${d.kind}:${d.name}`).sort()).toEqual(['taskdef:cli_charge', 'taskdef:cli_ship', 'workflow:cli_order']);
    expect((await s.req('GET', '/api/metadata/workflow/cli_order', undefined, admin())).body.tasks).toHaveLength(2);
  });

  it('maps what only the engine checks back to the file and item', async () => {
    // retryCount 500 passes the schema but not the engine's limit (BATON_MAX_RETRY_COUNT, 100).
    const r = await baton(['def', 'apply', 'cli/test/fixtures/too-many-retries.json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cli/test/fixtures/too-many-retries.json#/1/retryCount: must be at most 100');
    expect((await s.req('GET', '/api/metadata/taskdefs/cli_fine_alone', undefined, admin())).status).toBe(404);
  });
});

describe('runs', () => {
  let retried: string;

  it('starts a run with input from a file, follows it live to COMPLETED and shows its steps and attempts', async () => {
    const started = await baton(['start', 'cli_order', '--input', '@cli/test/fixtures/input.json'], env);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const watched = await baton(['watch', id, '--interval', '100'], env);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/charge \(SIMPLE\)\s+attempt 0\s+COMPLETED/);
    expect(watched.stdout).toMatch(/ship \(SIMPLE\)\s+attempt 0\s+COMPLETED/);
    expect(watched.stdout).toMatch(new RegExp(`cli_order ${id}\\s+COMPLETED`));
    const lines = watched.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(new RegExp(`cli_order ${id}\\s+COMPLETED$`));
    const run = json(await baton(['get', id, '--json'], env));
    expect(run.output).toEqual({ charged: 12, shipped: 'Ada' });
    // --json: one JSON object per line, the run's end last.
    const events = (await baton(['watch', id, '--json'], env)).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.referenceTaskName).map((e) => [e.referenceTaskName, e.status])).toEqual([
      ['charge', 'COMPLETED'],
      ['ship', 'COMPLETED'],
    ]);
    expect(events[events.length - 1]).toMatchObject({ workflowId: id, status: 'COMPLETED' });
  });

  it('start --watch prints the id, follows the run and exits 0 when it completes', async () => {
    const r = await baton(['start', 'cli_order', '--input', '{"amount": 3, "to": "Di"}', '--watch', '--correlation-id', 'cli-corr-1'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const first = lines[0] as string;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`cli_order ${first}\\s+COMPLETED$`));
    const found = json<{ results: Array<{ workflowId: string }> }>(
      await baton(['search', '--correlation-id', 'cli-corr-1', '--json'], env),
    );
    expect(found.results.map((w) => w.workflowId)).toEqual([first]);
  });

  it('shows a retried step with each attempt and why it failed', async () => {
    const started = json<{ workflowId: string }>(
      await baton(['start', 'cli_order', '--input', '{"amount": 13, "to": "Bo"}', '--json'], env),
    );
    retried = started.workflowId;
    expect((await baton(['watch', retried, '--interval', '100'], env)).code).toBe(0);
    const tree = await baton(['get', retried], env);
    expect(tree.code).toBe(0);
    const lines = tree.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^cli_order v1  COMPLETED  ${retried}  started \\S+ \\S+ took `));
    expect(lines[1]).toMatch(/^├─ charge \(SIMPLE\) {2}COMPLETED {2}2 attempts$/);
    expect(lines[2]).toMatch(/^│ {2}├─ attempt 0 {2}FAILED .*worker cli-test-worker .*"card network busy"$/);
    expect(lines[3]).toMatch(/^│ {2}└─ attempt 1 {2}COMPLETED /);
    expect(lines[4]).toMatch(/^└─ ship \(SIMPLE\) {2}COMPLETED$/);
    expect(lines[5]).toMatch(/^ {3}└─ attempt 0 {2}COMPLETED /);
  });

  it('watch exits 1 when the run fails; after a fix, poison retry brings it back', async () => {
    const id = (await baton(['start', 'cli_order', '--input', '{"amount": 666, "to": "Cy"}'], env)).stdout.trim();
    const watched = await baton(['watch', id, '--interval', '100'], env);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/charge \(SIMPLE\)\s+attempt 0\s+FAILED_WITH_TERMINAL_ERROR.*card declined for good/);
    expect(watched.stderr).toContain(`run ${id} ended FAILED`);

    const listed = await baton(['poison', 'list', '--type', 'cli_charge'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`cli_charge\\s+charge\\s+FAILED_WITH_TERMINAL_ERROR\\s+\\S+ \\S+\\s+${id}\\s+card declined for good`),
    );
    const poison = json<Array<{ workflowInstanceId: string }>>(await baton(['poison', 'list', '--json'], env));
    expect(poison.map((t) => t.workflowInstanceId)).toContain(id);

    chargeFixed = true;
    const retry = await baton(['poison', 'retry', 'cli_charge', id], env);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain(`retried 1 run: ${id}`);
    expect((await baton(['watch', id, '--interval', '100'], env)).code).toBe(0);
    // Retrying it again skips it (it is no longer FAILED): a given run not retried is a failure.
    const again = json<{ retried: string[]; skipped: Array<{ workflowId: string }> }>(
      await baton(['poison', 'retry', 'cli_charge', id, '--json'], env),
    );
    expect(again.retried).toEqual([]);
    expect(again.skipped.map((x) => x.workflowId)).toEqual([id]);
    expect((await baton(['poison', 'retry', 'cli_charge', id], env)).code).toBe(1);
  });

  it('searches by name, status and start time', async () => {
    const found = json<{ totalHits: number; results: Array<{ workflowId: string; status: string }> }>(
      await baton(['search', '--name', 'cli_order', '--status', 'completed', '--since', '1h', '--json'], env),
    );
    expect(found.results.length).toBeGreaterThanOrEqual(3);
    expect(found.results.every((w) => w.status === 'COMPLETED')).toBe(true);
    expect(found.results.map((w) => w.workflowId)).toContain(retried);
    const table = await baton(['search', '--name', 'cli_order', '--limit', '1'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^ID\s+NAME\s+VERSION\s+STATUS\s+STARTED \(UTC\)\s+TOOK\s+CORRELATION ID\n\S+\s+cli_order\s+1\s+COMPLETED/,
    );
    expect(table.stdout).toMatch(/\(1 of \d+; --limit for more\)/);
    const none = await baton(['search', '--name', 'cli_order', '--until', '2000-01-01'], env);
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe('no runs match');
  });
});

describe('taskdef set', () => {
  it('shows the change field by field and the audit entry that recorded it', async () => {
    const r = await baton(['taskdef', 'set', 'cli_ship', 'retryCount=5', 'timeoutSeconds=30'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/retryCount\s+0\s+5/);
    expect(r.stdout).toMatch(/timeoutSeconds\s+\(unset\)\s+30|timeoutSeconds\s+\d+\s+30/);
    expect(r.stdout).toContain(`recorded: changed by ${ADMIN.keyId} at `);
    const j = json(await baton(['taskdef', 'set', 'cli_ship', 'retryLogic=LINEAR_BACKOFF', '--json'], env));
    expect(j.changes).toEqual([{ field: 'retryLogic', before: expect.anything(), after: 'LINEAR_BACKOFF' }]);
    expect(j.audit).toMatchObject({
      name: 'cli_ship',
      changedBy: ADMIN.keyId,
      after: { retryCount: 5, timeoutSeconds: 30, retryLogic: 'LINEAR_BACKOFF' },
    });
    const history = json<Array<{ changedBy: string }>>(await baton(['taskdef', 'history', 'cli_ship', '--json'], env));
    expect(history.length).toBeGreaterThanOrEqual(3);
    expect((await baton(['taskdef', 'set', 'cli_ship', 'retryCount=5'], env)).stdout.trim()).toBe('cli_ship: no change');
  });

  it('refuses an invalid value by its pointer and changes nothing', async () => {
    const r = await baton(['taskdef', 'set', 'cli_ship', 'retryCount=-2'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cli_ship#/retryCount');
    expect((await s.req('GET', '/api/metadata/taskdefs/cli_ship', undefined, admin())).body.retryCount).toBe(5);
    expect((await baton(['taskdef', 'set', 'no_such_task', 'retryCount=1'], env)).code).toBe(3);
  });
});

describe('keys and exit codes', () => {
  it('creates, lists and revokes keys; a role that may not act and a revoked key exit 4', async () => {
    const created = json<{ keyId: string; keySecret: string; role: string }>(
      await baton(['key', 'create', '--role', 'viewer', '--description', 'cli test viewer', '--json'], env),
    );
    expect(created.role).toBe('viewer');
    expect(created.keySecret.length).toBeGreaterThan(20);
    const viewer = { BATON_URL: s.url, BATON_API_KEY: `${created.keyId}:${created.keySecret}` };
    expect((await baton(['search', '--limit', '1'], viewer)).code).toBe(0);
    const refused = await baton(['start', 'cli_order'], viewer);
    expect(refused.code).toBe(4);

    const list = await baton(['key', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`${created.keyId}\\s+viewer\\s+-\\s+\\S+ \\S+\\s+${ADMIN.keyId}\\s+cli test viewer`));
    expect(list.stdout).toMatch(new RegExp(`${ADMIN.keyId}\\s+admin\\s+-\\s+configuration`));
    expect(list.stdout).not.toContain(created.keySecret);

    expect((await baton(['key', 'revoke', created.keyId], env)).stdout.trim()).toBe(`key ${created.keyId} revoked`);
    expect((await baton(['search'], viewer)).code).toBe(4);
    expect((await baton(['key', 'revoke', created.keyId], env)).code).toBe(3);
  });

  it('exits 3 for what does not exist, 4 without credentials, 5 when the engine is unreachable', async () => {
    const missing = await baton(['get', '00000000-0000-0000-0000-000000000000'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not found/);
    const anonymous = await baton(['search'], { BATON_URL: s.url });
    expect(anonymous.code).toBe(4);
    expect(anonymous.stderr).toContain('--api-key');
    const port = await freePort();
    const down = await baton(['search', '--json'], { ...env, BATON_URL: `http://127.0.0.1:${port}` });
    expect(down.code).toBe(5);
    expect(down.stdout).toBe('');
    expect(JSON.parse(down.stderr)).toMatchObject({ error: 'UNREACHABLE', exitCode: 5 });
  });
});
