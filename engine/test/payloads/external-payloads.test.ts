import { ADMIN, authEnv, bearer, createKey, ShiftClock, tokenFor } from '../helpers/auth';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';
import type { ExternalPayloads } from '../../src/payloads/external';

/**
 * External payload storage through the API (docs/payloads.md): references in place of payloads,
 * retention of the payload store, signed locations, bad requests, and who may read what.
 */
const DAY = 86_400_000;
const big = (n: number, c = 'x'): string => c.repeat(n);

async function pollOne(s: TestServer, type: string, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  for (let i = 0; i < 50; i++) {
    const r = await s.req('GET', `/api/tasks/poll/batch/${type}?workerid=w&count=1&timeout=200`, undefined, headers);
    if (r.status === 200 && r.body.length > 0) return r.body[0];
  }
  throw new Error(`no ${type} task`);
}

async function define(s: TestServer, name: string, task: string, headers: Record<string, string> = {}): Promise<void> {
  expect((await s.req('POST', '/api/metadata/taskdefs', [{ name: task }], headers)).status).toBe(200);
  const def = {
    name,
    version: 1,
    tasks: [{ name: task, taskReferenceName: 't', type: 'SIMPLE', inputParameters: { big: '${workflow.input.big}' } }],
    outputParameters: { blob: '${t.output.blob}' },
  };
  expect((await s.req('POST', '/api/metadata/workflow', def, headers)).status).toBe(200);
}

describe.each(storeKinds())('external payload storage on %s', (kind) => {
  let s: TestServer;
  const clock = new ShiftClock();
  const ext = (): ExternalPayloads => s.engine.external as ExternalPayloads;

  beforeAll(async () => {
    s = await startTestServer(kind, {
      clock,
      env: {
        BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES: '1024',
        BATON_MAX_PAYLOAD_BYTES: '16384',
        BATON_MAX_EXTERNAL_PAYLOAD_BYTES: '65536',
        BATON_RETENTION_DAYS: '1',
      },
    });
    await define(s, 'ext_flow', 'ext_task');
  });
  afterAll(() => s.close());

  test('payloads over the threshold are kept by reference and shown as Conductor shows them', async () => {
    const id = (await s.req('POST', '/api/workflow/ext_flow', { big: big(3000, 'i') })).text;
    const task = await pollOne(s, 'ext_task');
    // The worker's input is in the payload store: Conductor's path field, and an empty inputData.
    expect(task.inputData).toEqual({});
    expect(task.externalInputPayloadStoragePath).toMatch(new RegExp(`^${id}/${task.taskId}\\.input\\.[0-9a-f]{16}\\.json$`));
    const loc = await s.req(
      'GET',
      `/api/tasks/external-storage-location?path=${encodeURIComponent(task.externalInputPayloadStoragePath)}&operation=READ&payloadType=TASK_INPUT`,
    );
    expect(loc.status).toBe(200);
    expect(loc.body.path).toBe(task.externalInputPayloadStoragePath);
    expect(await (await fetch(loc.body.uri)).json()).toEqual({ big: big(3000, 'i') });
    // An inline output over the threshold goes to the payload store too, and the workflow output computed from it.
    expect(
      (await s.req('POST', '/api/tasks', { taskId: task.taskId, status: 'COMPLETED', outputData: { blob: big(5000, 'o') } })).status,
    ).toBe(200);
    const wf = await s.req('GET', `/api/workflow/${id}?includeTasks=true`);
    expect(wf.body.status).toBe('COMPLETED');
    expect(wf.body.output).toEqual({});
    expect(wf.body.externalOutputPayloadStoragePath).toMatch(new RegExp(`^${id}/workflow\\.output\\.`));
    expect(wf.body.tasks[0].outputData).toEqual({});
    const out = await s.req(
      'GET',
      `/api/workflow/external-storage-location?path=${encodeURIComponent(wf.body.externalOutputPayloadStoragePath)}&operation=READ&payloadType=WORKFLOW_OUTPUT`,
    );
    expect(await (await fetch(out.body.uri)).json()).toEqual({ blob: big(5000, 'o') });
    expect((await ext().blobs.list(id)).length).toBe(3);
  });

  test('bad requests get a 4xx naming the field and change nothing', async () => {
    const q = (query: string) => s.req('GET', `/api/tasks/external-storage-location?${query}`);
    expect((await q('operation=DELETE&payloadType=TASK_OUTPUT')).body.errors[0].pointer).toBe('/query/operation');
    expect((await q('operation=READ&payloadType=NOPE')).body.errors[0].pointer).toBe('/query/payloadType');
    for (const path of ['../../etc/passwd', 'uploads/x.json', 'a/b/c', '']) {
      const r = await q(`operation=READ&payloadType=TASK_INPUT&path=${encodeURIComponent(path)}`);
      expect([r.status, r.body.errors?.[0]?.pointer]).toEqual([400, '/query/path']);
    }
    expect(
      (await s.req('GET', '/api/workflow/external-storage-location?operation=WRITE&payloadType=WORKFLOW_INPUT&path=')).body.errors[0]
        .pointer,
    ).toBe('/query/payloadType');

    const id = (await s.req('POST', '/api/workflow/ext_flow', { big: 'small' })).text;
    const task = await pollOne(s, 'ext_task');
    const report = (body: Record<string, unknown>) => s.req('POST', '/api/tasks', { taskId: task.taskId, status: 'COMPLETED', ...body });
    let r = await report({ externalOutputPayloadStoragePath: 'uploads/never-uploaded.json' });
    expect([r.status, r.body.errors[0].pointer]).toEqual([400, '/externalOutputPayloadStoragePath']);
    r = await report({ externalOutputPayloadStoragePath: `${id}/elsewhere.json` });
    expect([r.status, r.body.errors[0].pointer]).toEqual([400, '/externalOutputPayloadStoragePath']);
    r = await report({ outputData: { $externalPayload: { path: `${id}/x.json`, sha256: 'a', bytes: 1, sig: 'b' } } });
    expect([r.status, r.body.errors[0].pointer]).toEqual([400, '/outputData/$externalPayload']);
    r = await s.req('POST', '/api/workflow/ext_flow', { $externalPayload: {} });
    expect(r.status).toBe(400);
    // Not a JSON object: refused at the report, not found later by a decision.
    const loc = await s.req('GET', '/api/tasks/external-storage-location?operation=WRITE&payloadType=TASK_OUTPUT&path=');
    expect((await fetch(loc.body.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[1,2,3]' })).status).toBe(
      200,
    );
    r = await report({ externalOutputPayloadStoragePath: loc.body.path });
    expect([r.status, r.body.errors[0].pointer]).toEqual([400, '/externalOutputPayloadStoragePath']);
    expect((await s.req('GET', `/api/tasks/${task.taskId}`)).body.status).toBe('IN_PROGRESS');

    // Uploads: over the external limit is 413; a signature that does not match, or has expired, is 403.
    const loc2 = await s.req('GET', '/api/tasks/external-storage-location?operation=WRITE&payloadType=TASK_OUTPUT&path=');
    const tooBig = await fetch(loc2.body.uri, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: big(70_000) }),
    });
    expect(tooBig.status).toBe(413);
    expect(await ext().blobs.size(loc2.body.path)).toBeNull();
    const forged = String(loc2.body.uri).replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await fetch(forged, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    const asRead = String(loc2.body.uri).replace('op=w', 'op=r');
    expect((await fetch(asRead)).status).toBe(403);
    clock.shift += 2 * 3_600_000;
    try {
      expect((await fetch(loc2.body.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    } finally {
      clock.shift -= 2 * 3_600_000;
    }
    // The task can still complete, with an upload.
    const loc3 = await s.req('GET', '/api/tasks/external-storage-location?operation=WRITE&payloadType=TASK_OUTPUT&path=');
    expect(
      (
        await fetch(loc3.body.uri, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ blob: 'uploaded' }),
        })
      ).status,
    ).toBe(200);
    expect((await fetch(loc3.body.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(409);
    expect((await report({ externalOutputPayloadStoragePath: loc3.body.path })).status).toBe(200);
    const wf = await s.req('GET', `/api/workflow/${id}`);
    expect([wf.body.status, wf.body.output]).toEqual(['COMPLETED', { blob: 'uploaded' }]);
  });

  test('a computed payload is limited by BATON_MAX_PAYLOAD_BYTES: a field of a large external output can be passed on, all of it cannot', async () => {
    expect((await s.req('POST', '/api/metadata/taskdefs', [{ name: 'ext_up' }, { name: 'ext_next' }])).status).toBe(200);
    const def = (name: string, input: Record<string, string>) => ({
      name,
      version: 1,
      tasks: [
        { name: 'ext_up', taskReferenceName: 'up', type: 'SIMPLE' },
        { name: 'ext_next', taskReferenceName: 'next', type: 'SIMPLE', inputParameters: input },
      ],
    });
    expect(
      (await s.req('PUT', '/api/metadata/workflow', [def('ext_field', { n: '${up.output.n}' }), def('ext_whole', { all: '${up.output}' })]))
        .status,
    ).toBe(200);
    const run = async (name: string): Promise<string> => {
      const id = (await s.req('POST', `/api/workflow/${name}`, {})).text;
      const t = await pollOne(s, 'ext_up');
      const loc = await s.req('GET', '/api/tasks/external-storage-location?operation=WRITE&payloadType=TASK_OUTPUT&path=');
      // 40 KB: over the inline limit of this server (16 KiB), under its external limit (64 KiB).
      const body = JSON.stringify({ n: 7, blob: big(40_000) });
      expect((await fetch(loc.body.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
      expect(
        (await s.req('POST', '/api/tasks', { taskId: t.taskId, status: 'COMPLETED', externalOutputPayloadStoragePath: loc.body.path }))
          .status,
      ).toBe(200);
      return id;
    };
    const field = await run('ext_field');
    const next = await pollOne(s, 'ext_next');
    expect([next.workflowInstanceId, next.inputData]).toEqual([field, { n: 7 }]);
    expect((await s.req('POST', '/api/tasks', { taskId: next.taskId, status: 'COMPLETED', outputData: {} })).status).toBe(200);
    const whole = await run('ext_whole');
    const wf = await s.req('GET', `/api/workflow/${whole}`);
    expect(wf.body.status).toBe('FAILED');
    expect(wf.body.reasonForIncompletion).toMatch(/the input of 'next' is .* over the payload limit of 16 KiB \(BATON_MAX_PAYLOAD_BYTES\)/);
  });

  test("retention deletes a run's payloads with the run, and uploads never reported; a live run keeps its own", async () => {
    const done = (await s.req('POST', '/api/workflow/ext_flow', { big: big(2000) })).text;
    const t = await pollOne(s, 'ext_task');
    expect((await s.req('POST', '/api/tasks', { taskId: t.taskId, status: 'COMPLETED', outputData: { blob: big(2000) } })).status).toBe(
      200,
    );
    expect((await s.req('GET', `/api/workflow/${done}`)).body.status).toBe('COMPLETED');
    const live = (await s.req('POST', '/api/workflow/ext_flow', { big: big(2000, 'l') })).text;
    const orphan = await s.req('GET', '/api/tasks/external-storage-location?operation=WRITE&payloadType=TASK_OUTPUT&path=');
    expect(
      (await fetch(orphan.body.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"never":"reported"}' }))
        .status,
    ).toBe(200);
    expect((await ext().blobs.list(done)).length).toBe(3);
    expect((await ext().blobs.list(live)).length).toBe(1);
    expect(await ext().blobs.size(orphan.body.path)).not.toBeNull();

    clock.shift += 2 * DAY;
    try {
      const pass = await s.running.retention.pass();
      expect(pass.removed).toBeGreaterThanOrEqual(1);
    } finally {
      clock.shift -= 2 * DAY;
    }
    expect((await s.req('GET', `/api/workflow/${done}`)).status).toBe(404);
    expect(await ext().blobs.list(done)).toEqual([]);
    expect(await ext().blobs.size(orphan.body.path)).toBeNull();
    // The running workflow and its worker's input are untouched.
    expect((await ext().blobs.list(live)).length).toBe(1);
    const task = await pollOne(s, 'ext_task');
    expect(task.workflowInstanceId).toBe(live);
    const loc = await s.req(
      'GET',
      `/api/tasks/external-storage-location?path=${encodeURIComponent(task.externalInputPayloadStoragePath)}&operation=READ&payloadType=TASK_INPUT`,
    );
    expect(await (await fetch(loc.body.uri)).json()).toEqual({ big: big(2000, 'l') });
  });
});

describe('external payloads and roles', () => {
  let s: TestServer;
  let admin: string;

  beforeAll(async () => {
    s = await startTestServer('sqlite', { env: { ...authEnv, BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES: '1024' } });
    admin = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
    await define(s, 'role_flow', 'pay_big', bearer(admin));
  });
  afterAll(() => s.close());

  test('reading a payload takes what reading its run takes; a viewer gets it masked; a worker only its task types', async () => {
    const id = (await s.req('POST', '/api/workflow/role_flow', { big: big(3000) }, bearer(admin))).text;
    const task = await pollOne(s, 'pay_big', bearer(admin));
    const path = encodeURIComponent(task.externalInputPayloadStoragePath);
    const read = (token: string, scope = 'tasks') =>
      s.req('GET', `/api/${scope}/external-storage-location?path=${path}&operation=READ&payloadType=TASK_INPUT`, undefined, bearer(token));
    const write = (token: string) =>
      s.req('GET', '/api/tasks/external-storage-location?path=&operation=WRITE&payloadType=TASK_OUTPUT', undefined, bearer(token));

    expect((await s.req('GET', `/api/tasks/external-storage-location?path=${path}&operation=READ&payloadType=TASK_INPUT`)).status).toBe(
      401,
    );
    const payWorker = await createKey(s, admin, { role: 'worker', taskTypes: ['pay_*'] });
    const otherWorker = await createKey(s, admin, { role: 'worker', taskTypes: ['ship_*'] });
    const viewer = await createKey(s, admin, { role: 'viewer' });
    const pay = await tokenFor(s, payWorker.keyId, payWorker.keySecret);
    const other = await tokenFor(s, otherWorker.keyId, otherWorker.keySecret);
    const view = await tokenFor(s, viewer.keyId, viewer.keySecret);

    const ok = await read(pay);
    expect(ok.status).toBe(200);
    expect(await (await fetch(ok.body.uri)).json()).toEqual({ big: big(3000) });
    expect((await read(other)).status).toBe(403);
    expect((await read(pay, 'workflow')).status).toBe(403);
    const masked = await read(view, 'workflow');
    expect(masked.status).toBe(200);
    expect(await (await fetch(masked.body.uri)).json()).toEqual({ big: '***' });
    // Only reporters may upload.
    expect((await write(pay)).status).toBe(200);
    expect((await write(view)).status).toBe(403);
    void id;
  });
});
