import { ADMIN, authEnv, bearer, createKey, tokenFor } from '../helpers/auth';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

type Who = 'anonymous' | 'admin' | 'operator' | 'worker' | 'viewer';
type Group =
  | 'health'
  | 'metrics'
  | 'metadata:read'
  | 'metadata:write'
  | 'workflow:start'
  | 'workflow:read'
  | 'workflow:control'
  | 'task:poll'
  | 'task:report'
  | 'task:complete'
  | 'task:read'
  | 'keys'
  | 'unmapped';

/** Who may call each endpoint group (docs/security.md); everyone else gets 403, anonymous callers 401. */
const allowed: Record<Group, readonly Who[]> = {
  health: ['anonymous', 'admin', 'operator', 'worker', 'viewer'],
  metrics: ['admin', 'operator', 'viewer'],
  'metadata:read': ['admin', 'operator', 'viewer'],
  'metadata:write': ['admin', 'operator'],
  'workflow:start': ['admin', 'operator'],
  'workflow:read': ['admin', 'operator', 'viewer'],
  'workflow:control': ['admin', 'operator'],
  'task:poll': ['admin', 'worker'],
  'task:report': ['admin', 'worker'],
  'task:complete': ['admin', 'operator'],
  'task:read': ['admin', 'operator', 'viewer'],
  keys: ['admin'],
  unmapped: ['admin'],
};

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** The role matrix: every role against every endpoint group, with authentication on. */
describe.each(storeKinds())('role matrix (%s)', (kind) => {
  let s: TestServer;
  const tokens = {} as Record<Exclude<Who, 'anonymous'>, string>;
  let workflowId = '';
  let calls: Record<Group, Call[]>;

  beforeAll(async () => {
    s = await startTestServer(kind, { env: authEnv });
    tokens.admin = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
    for (const role of ['operator', 'worker', 'viewer'] as const) {
      const k = await createKey(s, tokens.admin, { role, ...(role === 'worker' ? { taskTypes: ['matrix_task'] } : {}) });
      tokens[role] = await tokenFor(s, k.keyId, k.keySecret);
    }
    const as = bearer(tokens.admin);
    expect((await s.req('POST', '/api/metadata/taskdefs', [{ name: 'matrix_task' }], as)).status).toBe(200);
    const flow = {
      name: 'matrix_flow',
      version: 1,
      tasks: [
        { name: 'approve', taskReferenceName: 'approve', type: 'HUMAN' },
        { name: 'matrix_task', taskReferenceName: 'work', type: 'SIMPLE' },
      ],
    };
    expect((await s.req('PUT', '/api/metadata/workflow', [flow], as)).status).toBe(200);
    workflowId = (await s.req('POST', '/api/workflow/matrix_flow', { card: '4111' }, as)).text;
    calls = {
      health: [{ method: 'GET', path: '/health' }],
      metrics: [{ method: 'GET', path: '/metrics' }],
      'metadata:read': [
        { method: 'GET', path: '/api/metadata/taskdefs' },
        { method: 'GET', path: '/api/metadata/taskdefs/matrix_task/changes' },
        { method: 'GET', path: '/api/metadata/workflow/matrix_flow' },
      ],
      'metadata:write': [
        { method: 'PUT', path: '/api/metadata/taskdefs', body: { name: 'matrix_extra' } },
        { method: 'POST', path: '/api/metadata/workflow', body: { ...flow, version: 7 } },
        { method: 'DELETE', path: '/api/metadata/taskdefs/no_such_def' },
      ],
      'workflow:start': [
        { method: 'POST', path: '/api/workflow/matrix_flow', body: {} },
        { method: 'POST', path: '/api/workflow', body: { name: 'matrix_flow' } },
      ],
      'workflow:read': [
        { method: 'GET', path: `/api/workflow/${workflowId}` },
        { method: 'GET', path: '/api/workflow/search?workflowName=matrix_flow' },
      ],
      'workflow:control': [
        { method: 'POST', path: `/api/workflow/${workflowId}/retry` },
        { method: 'DELETE', path: '/api/workflow/no-such-workflow' },
        { method: 'POST', path: '/api/tasks/failed/retry', body: { taskType: 'matrix_task' } },
      ],
      'task:poll': [
        { method: 'GET', path: '/api/tasks/poll/batch/matrix_task?timeout=0' },
        { method: 'GET', path: '/api/tasks/poll/matrix_task' },
      ],
      'task:report': [{ method: 'POST', path: '/api/tasks', body: { taskId: 'no-such-task', status: 'COMPLETED' } }],
      'task:complete': [{ method: 'POST', path: `/api/tasks/${workflowId}/no_such_ref/COMPLETED`, body: {} }],
      'task:read': [
        { method: 'GET', path: '/api/tasks/queue/sizes?taskType=matrix_task' },
        { method: 'GET', path: '/api/tasks/failed' },
        { method: 'GET', path: '/api/tasks/no-such-task' },
      ],
      keys: [
        { method: 'GET', path: '/api/admin/keys' },
        { method: 'POST', path: '/api/admin/keys', body: { role: 'viewer', description: 'made in the matrix' } },
      ],
      // Conductor's admin routes are not in the access table: closed to all but admins (who get 404).
      unmapped: [
        { method: 'GET', path: '/api/admin/queues' },
        { method: 'POST', path: '/api/no/such/route', body: {} },
      ],
    };
  }, 60_000);
  afterAll(async () => {
    await s.close();
  });

  const headersOf = (who: Who): Record<string, string> => (who === 'anonymous' ? {} : bearer(tokens[who]));

  describe.each(Object.keys(allowed) as Group[])('%s', (group) => {
    it.each(['anonymous', 'admin', 'operator', 'worker', 'viewer'] as Who[])('as %s', async (who) => {
      for (const c of calls[group]) {
        const r = await s.req(c.method, c.path, c.body, headersOf(who));
        const where = `${who} ${c.method} ${c.path} -> ${r.status} ${r.text.slice(0, 300)}`;
        if (allowed[group].includes(who)) {
          expect([where, r.status !== 401 && r.status !== 403]).toEqual([where, true]);
          expect([where, r.status < 500]).toEqual([where, true]);
        } else if (who === 'anonymous') {
          expect([where, r.status]).toEqual([where, 401]);
          expect(r.body).toMatchObject({ code: 'UNAUTHENTICATED', error: 'MISSING_TOKEN' });
        } else {
          expect([where, r.status]).toEqual([where, 403]);
          expect(r.body.code).toBe('FORBIDDEN');
          expect(r.body.detail).toContain(`role ${who}`);
        }
      }
    });
  });

  it('lets a worker key poll and report its own task types only', async () => {
    const worker = bearer(tokens.worker);
    const other = await s.req('GET', '/api/tasks/poll/batch/other_task?timeout=0', undefined, worker);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'TASK_TYPE_FORBIDDEN' });
    expect(other.body.detail).toContain("'other_task'");
    // Complete the HUMAN step, so the worker's task is scheduled.
    const id = (await s.req('POST', '/api/workflow/matrix_flow', {}, bearer(tokens.admin))).text;
    expect((await s.req('POST', `/api/tasks/${id}/approve/COMPLETED`, { ok: true }, bearer(tokens.operator))).status).toBe(200);
    let claimed: any[] = [];
    for (let i = 0; i < 50 && claimed.length === 0; i++) {
      claimed = (await s.req('GET', '/api/tasks/poll/batch/matrix_task?timeout=200&count=10', undefined, worker)).body;
    }
    const mine = claimed.find((t) => t.workflowInstanceId === id);
    expect(mine).toBeDefined();
    const done = await s.req(
      'POST',
      '/api/tasks',
      { taskId: mine.taskId, workerId: mine.workerId, attemptToken: mine.attemptToken, status: 'COMPLETED', outputData: { ok: 1 } },
      worker,
    );
    expect(done.status).toBe(200);
    // A task of another type: the admin's HUMAN task of a fresh workflow.
    const id2 = (await s.req('POST', '/api/workflow/matrix_flow', {}, bearer(tokens.admin))).text;
    const human = ((await s.req('GET', `/api/workflow/${id2}`, undefined, bearer(tokens.admin))).body.tasks as any[])[0];
    const forged = await s.req('POST', '/api/tasks', { taskId: human.taskId, status: 'COMPLETED' }, worker);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('TASK_TYPE_FORBIDDEN');
    expect((await s.req('GET', `/api/workflow/${id2}`, undefined, bearer(tokens.admin))).body.tasks[0].status).toBe('IN_PROGRESS');
  });

  it('shows a viewer every payload masked, and an operator the payloads as they are', async () => {
    const asOperator = (await s.req('GET', `/api/workflow/${workflowId}`, undefined, bearer(tokens.operator))).body;
    expect(asOperator.input).toEqual({ card: '4111' });
    const asViewer = (await s.req('GET', `/api/workflow/${workflowId}`, undefined, bearer(tokens.viewer))).body;
    expect(asViewer.workflowId).toBe(workflowId);
    expect(asViewer.status).toBe(asOperator.status);
    expect(asViewer.input).toEqual({ card: '***' });
    expect(JSON.stringify(asViewer)).not.toContain('4111');
    for (const t of asViewer.tasks as any[]) {
      expect(Object.values(t.inputData).every((v) => v === '***')).toBe(true);
      expect(Object.values(t.outputData).every((v) => v === '***')).toBe(true);
    }
    const search = (await s.req('GET', '/api/workflow/search?workflowName=matrix_flow', undefined, bearer(tokens.viewer))).body;
    expect(search.totalHits).toBeGreaterThan(0);
    expect(JSON.stringify(search)).not.toContain('4111');
  });

  it('records the authenticated key as changedBy, whatever a header claims', async () => {
    const operatorKey = (await s.req('GET', '/api/admin/keys', undefined, bearer(tokens.admin))).body.find(
      (k: any) => k.role === 'operator',
    ).keyId;
    const r = await s.req(
      'PUT',
      '/api/metadata/taskdefs',
      { name: 'audited', retryCount: 1 },
      { ...bearer(tokens.operator), 'x-baton-user': 'mallory' },
    );
    expect(r.status).toBe(200);
    const changes = (await s.req('GET', '/api/metadata/taskdefs/audited/changes', undefined, bearer(tokens.viewer))).body;
    expect(changes[0].changedBy).toBe(operatorKey);
  });
});
