import { ManualClock } from '../../src/runtime/clock';
import { startTestServer, type StoreKind, type TestServer } from './server';

/**
 * A test server on a manual clock, for time-based policies: the background sweeper is slowed to
 * once a minute of real time, and tests drive `sweep()` by hand after moving the clock. Polls
 * never wait (timeout=0): a long poll would wait for a clock that only moves when told to.
 */
export class PolicyServer {
  private constructor(
    readonly s: TestServer,
    readonly clock: ManualClock,
  ) {}

  static async start(kind: StoreKind, env: Record<string, string> = {}, clock = new ManualClock()): Promise<PolicyServer> {
    const s = await startTestServer(kind, { clock, env: { BATON_SWEEP_INTERVAL_MS: '60000', ...env } });
    return new PolicyServer(s, clock);
  }

  get engine() {
    return this.s.engine;
  }

  async taskDefs(defs: Array<Record<string, unknown>>, user = 'test'): Promise<void> {
    const r = await this.s.req('POST', '/api/metadata/taskdefs', defs, { 'x-baton-user': user });
    if (r.status !== 200) throw new Error(`taskdefs: ${r.status} ${r.text}`);
  }

  async workflowDef(def: Record<string, unknown>): Promise<void> {
    const r = await this.s.req('PUT', '/api/metadata/workflow', [def]);
    if (r.status !== 200) throw new Error(`workflow def: ${r.status} ${r.text}`);
  }

  /** Starts a workflow; answers its id. */
  async start(name: string, input: Record<string, unknown> = {}, priority = 0): Promise<string> {
    const r = await this.s.req('POST', '/api/workflow', { name, input, priority });
    if (r.status !== 200) throw new Error(`start: ${r.status} ${r.text}`);
    return r.text;
  }

  async poll(taskType: string, count = 1, workerId = 'w'): Promise<any[]> {
    const r = await this.s.req('GET', `/api/tasks/poll/batch/${taskType}?workerid=${workerId}&count=${count}&timeout=0`);
    if (r.status !== 200) throw new Error(`poll: ${r.status} ${r.text}`);
    return r.body as any[];
  }

  async pollOne(taskType: string, workerId = 'w'): Promise<any> {
    const [t] = await this.poll(taskType, 1, workerId);
    if (!t) throw new Error(`no ${taskType} task to claim at ${this.clock.now()}`);
    return t;
  }

  async report(t: any, status: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
    return this.s.req('POST', '/api/tasks', { taskId: t.taskId, workerId: t.workerId, attemptToken: t.attemptToken, status, ...extra });
  }

  async workflow(id: string): Promise<any> {
    return (await this.s.req('GET', `/api/workflow/${id}`)).body;
  }

  async tasksOf(id: string, ref?: string): Promise<any[]> {
    const tasks = (await this.workflow(id)).tasks as any[];
    return ref ? tasks.filter((t) => t.referenceTaskName === ref) : tasks;
  }

  /** Moves the clock, then runs one sweeper pass; answers how many items it acted on. */
  async tick(ms: number): Promise<number> {
    this.clock.advance(ms);
    return this.s.running.sweeper.sweep();
  }

  async metric(name: string, labels: string): Promise<number> {
    const text = (await this.s.req('GET', '/metrics')).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  close(): Promise<void> {
    return this.s.close();
  }
}
