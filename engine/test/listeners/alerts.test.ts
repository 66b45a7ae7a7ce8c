import { ManualClock } from '../../src/runtime/clock';
import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

jest.setTimeout(180_000);

const MIN = 60_000;

function metric(text: string, name: string, rule: string): number {
  const m = new RegExp(`^${name}\\{rule="${rule}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/**
 * The built-in alert rules with an injected clock (no waiting on real time): poison task, run
 * failed, queue depth above N for M minutes; each visible at /api/alerts and in /metrics, and
 * configurable at runtime with an audit trail.
 */
describe.each(storeKinds())('alert rules (%s)', (kind) => {
  let s: TestServer;
  const clock = new ManualClock();

  beforeAll(async () => {
    s = await startTestServer(kind, { clock, env: { BATON_ALERT_INTERVAL_MS: '3600000' } });
    await s.req('POST', '/api/metadata/taskdefs', [
      { name: 'alr_t', retryCount: 0, responseTimeoutSeconds: 60 },
      { name: 'alr_q', retryCount: 0, responseTimeoutSeconds: 60 },
    ]);
    await s.req('POST', '/api/metadata/workflow', {
      name: 'alr_wf',
      version: 1,
      schemaVersion: 2,
      tasks: [{ name: 'alr_t', taskReferenceName: 't', type: 'SIMPLE' }],
    });
    await s.req('POST', '/api/metadata/workflow', {
      name: 'alr_qwf',
      version: 1,
      schemaVersion: 2,
      tasks: [{ name: 'alr_q', taskReferenceName: 'q', type: 'SIMPLE' }],
    });
  });
  afterAll(() => s?.close());

  async function failOneRun(): Promise<string> {
    const id = (await s.req('POST', '/api/workflow/alr_wf', {})).text;
    const [task] = (await s.req('GET', '/api/tasks/poll/batch/alr_t?count=1&timeout=100&workerid=w')).body as Array<{ taskId: string }>;
    expect(task).toBeDefined();
    const r = await s.req('POST', '/api/tasks', {
      taskId: task?.taskId,
      workflowInstanceId: id,
      workerId: 'w',
      status: 'FAILED',
      reasonForIncompletion: 'bad input',
      outputData: {},
    });
    expect(r.status).toBeLessThan(300);
    expect((await s.req('GET', `/api/workflow/${id}?includeTasks=false`)).body.status).toBe('FAILED');
    return id;
  }

  it('raises poisonTask and runFailed when a step gives up and its run fails, and resolves them after forMinutes', async () => {
    const id = await failOneRun();
    const alerts = (await s.req('GET', '/api/alerts')).body as {
      active: Array<{ rule: string; key: string; detail: { workflowId?: string } }>;
      rules: unknown[];
    };
    expect(alerts.active.map((a) => [a.rule, a.key]).sort()).toEqual([
      ['poisonTask', 'alr_t'],
      ['runFailed', 'alr_wf'],
    ]);
    expect(alerts.active.every((a) => a.detail.workflowId === id)).toBe(true);
    expect(alerts.rules).toHaveLength(3);
    let metrics = (await s.req('GET', '/metrics')).text;
    expect(metric(metrics, 'baton_alerts_active', 'poisonTask')).toBe(1);
    expect(metric(metrics, 'baton_alerts_active', 'runFailed')).toBe(1);
    expect(metric(metrics, 'baton_alerts_fired_total', 'runFailed')).toBe(1);
    expect(metric(metrics, 'baton_alerts_active', 'queueDepth')).toBe(0);

    // A second failure is the same alert, seen again.
    await failOneRun();
    const again = (await s.req('GET', '/api/alerts')).body.active as Array<{ rule: string; occurrences: number }>;
    expect(again.find((a) => a.rule === 'runFailed')?.occurrences).toBe(2);
    expect(metric((await s.req('GET', '/metrics')).text, 'baton_alerts_fired_total', 'runFailed')).toBe(1);

    clock.advance(59 * MIN);
    await s.engine.listeners.alerts.evaluate();
    expect((await s.req('GET', '/api/alerts')).body.active).toHaveLength(2);
    clock.advance(2 * MIN);
    await s.engine.listeners.alerts.evaluate();
    const later = (await s.req('GET', '/api/alerts')).body as { active: unknown[]; recent: Array<{ rule: string; resolvedAt: number }> };
    expect(later.active).toEqual([]);
    expect(later.recent.map((a) => a.rule).sort()).toEqual(['poisonTask', 'runFailed']);
    expect(later.recent.every((a) => a.resolvedAt === clock.now())).toBe(true);
    metrics = (await s.req('GET', '/metrics')).text;
    expect(metric(metrics, 'baton_alerts_active', 'runFailed')).toBe(0);
  });

  it('raises queueDepth only after the queue stayed above the threshold for forMinutes, and resolves it when it drains', async () => {
    const set = await s.req('PUT', '/api/alerts/rules/queueDepth', { threshold: 2, forMinutes: 5 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ rule: 'queueDepth', enabled: true, threshold: 2, forMinutes: 5 });
    for (let i = 0; i < 3; i++) expect((await s.req('POST', '/api/workflow/alr_qwf', {})).status).toBe(200);
    const alerts = s.engine.listeners.alerts;
    const queueAlerts = async (): Promise<unknown[]> =>
      ((await s.req('GET', '/api/alerts')).body.active as Array<{ rule: string }>).filter((a) => a.rule === 'queueDepth');
    await alerts.evaluate();
    expect(await queueAlerts()).toEqual([]);
    clock.advance(4 * MIN);
    await alerts.evaluate();
    expect(await queueAlerts()).toEqual([]);
    clock.advance(1 * MIN);
    await alerts.evaluate();
    expect(await queueAlerts()).toEqual([
      expect.objectContaining({ rule: 'queueDepth', key: 'alr_q', detail: expect.objectContaining({ depth: 3 }) }),
    ]);
    expect(metric((await s.req('GET', '/metrics')).text, 'baton_alerts_active', 'queueDepth')).toBe(1);
    // Two claimed: one left, under the threshold.
    expect((await s.req('GET', '/api/tasks/poll/batch/alr_q?count=2&timeout=100&workerid=w')).body).toHaveLength(2);
    await alerts.evaluate();
    expect(await queueAlerts()).toEqual([]);
    expect(metric((await s.req('GET', '/metrics')).text, 'baton_alerts_active', 'queueDepth')).toBe(0);
  });

  it('takes rule changes at runtime, with an audit trail, and refuses bad ones naming the field', async () => {
    expect((await s.req('PUT', '/api/alerts/rules/runFailed', { enabled: false }, { 'x-baton-user': 'ops-kim' })).status).toBe(200);
    await failOneRun();
    expect(((await s.req('GET', '/api/alerts')).body.active as Array<{ rule: string }>).filter((a) => a.rule === 'runFailed')).toEqual([]);
    const rules = (await s.req('GET', '/api/alerts/rules')).body as Array<{ rule: string; enabled: boolean }>;
    expect(rules.find((r) => r.rule === 'runFailed')?.enabled).toBe(false);
    const changes = (await s.req('GET', '/api/alerts/rules/changes')).body as Array<{
      name: string;
      changedBy: string;
      after: { enabled: boolean };
    }>;
    expect(changes[0]).toMatchObject({ name: 'runFailed', changedBy: 'ops-kim', after: { enabled: false } });

    for (const [path, body, pointer] of [
      ['/api/alerts/rules/nope', { enabled: true }, '/rule'],
      ['/api/alerts/rules/queueDepth', { threshold: -1 }, '/threshold'],
      ['/api/alerts/rules/queueDepth', { forMinutes: 1.5 }, '/forMinutes'],
      ['/api/alerts/rules/queueDepth', { enabled: 'yes' }, '/enabled'],
      ['/api/alerts/rules/queueDepth', { colour: 'red' }, ''],
    ] as const) {
      const res = await s.req('PUT', path, body);
      expect([path, res.status]).toEqual([path, 400]);
      expect(JSON.stringify(res.body)).toContain(pointer);
    }
    expect((await s.req('GET', '/api/alerts/rules')).body.find((r: { rule: string }) => r.rule === 'queueDepth')).toEqual({
      rule: 'queueDepth',
      enabled: true,
      threshold: 2,
      forMinutes: 5,
    });
  });
});
