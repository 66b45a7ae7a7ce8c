// An in-memory server that speaks the task and workflow endpoints the way the engine will: batch
// long polls that claim with a fresh attempt token, fenced reports (404 unknown task, 409 stale
// token), lease extensions, problem+json errors. Tests inject faults and read what it received.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Request, Response } from 'express';
import type * as P from '@baton/protocol';

export type Route = 'poll' | 'report' | 'extend' | 'startWorkflow' | 'getWorkflow' | 'taskdefs';

/** A task as the fake keeps it: the protocol's Task fields it serves, plus the current claim. */
type StoredTask = Pick<
  P.Task,
  | 'taskId'
  | 'workflowInstanceId'
  | 'taskType'
  | 'referenceTaskName'
  | 'inputData'
  | 'responseTimeoutSeconds'
  | 'retryCount'
  | 'pollCount'
  | 'callbackAfterSeconds'
  | 'outputData'
> & {
  status: Extract<P.TaskStatus, 'SCHEDULED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR'>;
  attemptToken: string | undefined;
  workerId: string | undefined;
  reasonForIncompletion: string | undefined;
};

export interface PollRecord {
  taskType: string;
  count: number;
  timeoutMs: number;
  workerId: string;
  /** Set when the answer was sent; stays undefined if the client went away first. */
  returned: number | undefined;
  aborted: boolean;
}

export interface TaskPost {
  body: Record<string, unknown>;
  /** The status the server answered with. */
  answer: number;
}

interface PollWaiter {
  taskType: string;
  wake: () => void;
}

export interface FakeServerOptions {
  /** Answer an empty poll with 204 instead of 200 []. */
  emptyPollStatus?: 200 | 204;
  /** Answer empty polls at once instead of holding them for `timeout`. */
  ignorePollTimeout?: boolean;
}

export class FakeBatonServer {
  readonly polls: PollRecord[] = [];
  /** Every POST /api/tasks, reports and extensions alike, in arrival order. */
  readonly taskPosts: TaskPost[] = [];
  readonly requests: { method: string; path: string; body: unknown }[] = [];
  readonly taskDefs: unknown[] = [];
  readonly workflowDefs: { method: string; body: unknown }[] = [];
  readonly workflows = new Map<string, Record<string, unknown>>();
  private readonly tasks = new Map<string, StoredTask>();
  private readonly ready: string[] = [];
  private readonly waiters = new Set<PollWaiter>();
  private readonly faults = new Map<Route, number[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private sequence = 0;
  url = '';

  constructor(private readonly options: FakeServerOptions = {}) {}

  async listen(): Promise<this> {
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      this.requests.push({ method: req.method, path: req.path, body: req.body as unknown });
      next();
    });
    app.get('/api/tasks/poll/batch/:taskType', (req, res) => void this.poll(req, res));
    app.post('/api/tasks', (req, res) => this.postTask(req, res));
    app.get('/api/tasks/queue/sizes', (req, res) => this.queueSizes(req, res));
    app.post('/api/metadata/taskdefs', (req, res) => this.registerTaskDefs(req, res));
    app.put('/api/metadata/taskdefs', (req, res) => {
      this.taskDefs.push(req.body);
      res.status(200).end();
    });
    app.post('/api/metadata/workflow', (req, res) => {
      this.workflowDefs.push({ method: 'POST', body: req.body });
      res.status(200).end();
    });
    app.put('/api/metadata/workflow', (req, res) => {
      this.workflowDefs.push({ method: 'PUT', body: req.body });
      res.status(200).end();
    });
    app.post('/api/workflow', (req, res) => this.startWorkflow(req, res));
    app.get('/api/workflow/:workflowId', (req, res) => this.getWorkflow(req, res));
    app.delete('/api/workflow/:workflowId', (req, res) => this.terminateWorkflow(req, res));

    await new Promise<void>((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server?.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const waiter of this.waiters) waiter.wake();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- test controls ----

  enqueue(taskType: string, inputData: Record<string, unknown> = {}, options: { responseTimeoutSeconds?: number } = {}): string {
    this.sequence += 1;
    const taskId = `task-${this.sequence}`;
    this.tasks.set(taskId, {
      taskId,
      workflowInstanceId: `wf-${this.sequence}`,
      taskType,
      referenceTaskName: `${taskType}_ref`,
      inputData,
      responseTimeoutSeconds: options.responseTimeoutSeconds ?? 60,
      status: 'SCHEDULED',
      attemptToken: undefined,
      workerId: undefined,
      retryCount: 0,
      pollCount: 0,
      callbackAfterSeconds: 0,
      outputData: {},
      reasonForIncompletion: undefined,
    });
    this.makeReady(taskId);
    return taskId;
  }

  /** The next answers on `route` use these statuses (503 with a retryable problem body, etc.). */
  injectFaults(route: Route, statuses: number[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...statuses]);
  }

  /** Gives the task a new attempt token, as the engine does when a lease expires and it re-claims. */
  supersede(taskId: string): void {
    this.mustGet(taskId).attemptToken = randomUUID();
  }

  task(taskId: string): StoredTask {
    return this.mustGet(taskId);
  }

  reportsFor(taskId: string): TaskPost[] {
    return this.taskPosts.filter((post) => post.body['taskId'] === taskId && post.body['extendLease'] !== true);
  }

  extensionsFor(taskId: string): TaskPost[] {
    return this.taskPosts.filter((post) => post.body['taskId'] === taskId && post.body['extendLease'] === true);
  }

  get openPolls(): number {
    return this.polls.filter((poll) => poll.returned === undefined && !poll.aborted).length;
  }

  setWorkflowStatus(workflowId: string, status: string, output: Record<string, unknown> = {}): void {
    const workflow = this.workflows.get(workflowId);
    if (workflow === undefined) throw new Error(`no workflow ${workflowId}`);
    Object.assign(workflow, { status, output, endTime: Date.now() });
  }

  // ---- endpoints ----

  private async poll(req: Request, res: Response): Promise<void> {
    const taskType = String(req.params['taskType']);
    const record: PollRecord = {
      taskType,
      count: Number(req.query['count'] ?? 1),
      timeoutMs: Number(req.query['timeout'] ?? 100),
      workerId: String(req.query['workerid'] ?? ''),
      returned: undefined,
      aborted: false,
    };
    this.polls.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    if (this.takeFault('poll', res)) return;

    let claimed = this.claim(taskType, record);
    if (claimed.length === 0 && !this.options.ignorePollTimeout && record.timeoutMs > 0) {
      await this.waitForWork(taskType, record.timeoutMs, res);
      if (record.aborted) return;
      claimed = this.claim(taskType, record);
    }
    if (record.aborted) return;
    record.returned = claimed.length;
    if (claimed.length === 0 && this.options.emptyPollStatus === 204) res.status(204).end();
    else res.status(200).json(claimed);
  }

  private postTask(req: Request, res: Response): void {
    const body = req.body as Record<string, unknown>;
    const post: TaskPost = { body, answer: 0 };
    this.taskPosts.push(post);
    const route: Route = body['extendLease'] === true ? 'extend' : 'report';
    const answer = (status: number, problem?: Partial<P.Problem>): void => {
      post.answer = status;
      if (problem === undefined) res.status(status).type('text/plain').send(String(body['taskId']));
      else
        res
          .status(status)
          .type('application/problem+json')
          .send(JSON.stringify({ status, ...problem }));
    };
    const fault = this.nextFault(route);
    if (fault !== undefined) return answer(fault, faultProblem(fault));

    const task = this.tasks.get(String(body['taskId']));
    if (task === undefined) return answer(404, { title: 'Task not found' });
    if (body['attemptToken'] !== task.attemptToken || task.status !== 'IN_PROGRESS') {
      return answer(409, { title: 'Stale attempt', detail: 'the lease expired or the attempt was superseded' });
    }
    if (route === 'extend') return answer(200);

    const status = String(body['status']);
    task.outputData = (body['outputData'] as Record<string, unknown> | undefined) ?? {};
    task.reasonForIncompletion = body['reasonForIncompletion'] as string | undefined;
    if (status === 'IN_PROGRESS') {
      // Re-delivered later with a new attempt.
      task.status = 'SCHEDULED';
      task.attemptToken = undefined;
      task.callbackAfterSeconds = Number(body['callbackAfterSeconds'] ?? 0);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.makeReady(task.taskId);
      }, task.callbackAfterSeconds * 1000);
      this.timers.add(timer);
    } else {
      task.status = status as StoredTask['status'];
    }
    answer(200);
  }

  private queueSizes(req: Request, res: Response): void {
    const raw = req.query['taskType'];
    const taskTypes = Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)];
    const sizes: Record<string, number> = {};
    for (const taskType of taskTypes) {
      sizes[taskType] = this.ready.filter((taskId) => this.tasks.get(taskId)?.taskType === taskType).length;
    }
    res.json(sizes);
  }

  private registerTaskDefs(req: Request, res: Response): void {
    if (this.takeFault('taskdefs', res)) return;
    const body: unknown = req.body;
    if (!Array.isArray(body)) return problem(res, 400, { title: 'Invalid request', detail: 'expected an array' });
    const errors = body.flatMap((def: unknown, index) =>
      typeof (def as { name?: unknown }).name === 'string' ? [] : [{ pointer: `/${index}/name`, message: 'is required' }],
    );
    if (errors.length > 0)
      return problem(res, 400, { type: 'https://baton.dev/problems/validation', title: 'Invalid task definition', errors });
    this.taskDefs.push(...body);
    res.status(200).end();
  }

  private startWorkflow(req: Request, res: Response): void {
    if (this.takeFault('startWorkflow', res)) return;
    const body = req.body as Record<string, unknown>;
    if (typeof body['name'] !== 'string') {
      return problem(res, 400, { title: 'Invalid request', errors: [{ pointer: '/name', message: 'is required' }] });
    }
    const workflowId = randomUUID();
    this.workflows.set(workflowId, {
      workflowId,
      workflowName: body['name'],
      workflowVersion: body['version'] ?? 1,
      status: 'RUNNING',
      input: body['input'] ?? {},
      output: {},
      correlationId: body['correlationId'],
      priority: body['priority'] ?? 0,
      createTime: Date.now(),
      tasks: [
        {
          taskId: 'wt-1',
          workflowInstanceId: workflowId,
          taskType: 'first',
          referenceTaskName: 'first_ref',
          status: 'SCHEDULED',
          inputData: {},
        },
      ],
    });
    res.status(200).type('text/plain').send(workflowId);
  }

  private getWorkflow(req: Request, res: Response): void {
    if (this.takeFault('getWorkflow', res)) return;
    const workflow = this.workflows.get(String(req.params['workflowId']));
    if (workflow === undefined) return problem(res, 404, { title: 'Workflow not found' });
    const includeTasks = req.query['includeTasks'] === 'true';
    res.json(includeTasks ? workflow : { ...workflow, tasks: [] });
  }

  private terminateWorkflow(req: Request, res: Response): void {
    const workflow = this.workflows.get(String(req.params['workflowId']));
    if (workflow === undefined) return problem(res, 404, { title: 'Workflow not found' });
    Object.assign(workflow, { status: 'TERMINATED', reasonForIncompletion: req.query['reason'], endTime: Date.now() });
    res.status(204).end();
  }

  // ---- internals ----

  private claim(taskType: string, poll: PollRecord): Array<Partial<P.Task>> {
    const claimed: Array<Partial<P.Task>> = [];
    for (let index = 0; index < this.ready.length && claimed.length < poll.count;) {
      const taskId = this.ready[index] as string;
      const task = this.mustGet(taskId);
      if (task.taskType !== taskType) {
        index += 1;
        continue;
      }
      this.ready.splice(index, 1);
      task.status = 'IN_PROGRESS';
      task.attemptToken = randomUUID();
      task.workerId = poll.workerId;
      task.pollCount += 1;
      claimed.push({
        taskId: task.taskId,
        workflowInstanceId: task.workflowInstanceId,
        taskType: task.taskType,
        referenceTaskName: task.referenceTaskName,
        status: task.status,
        inputData: task.inputData,
        retryCount: task.retryCount,
        pollCount: task.pollCount,
        responseTimeoutSeconds: task.responseTimeoutSeconds,
        callbackAfterSeconds: task.callbackAfterSeconds,
        workerId: task.workerId,
        attemptToken: task.attemptToken,
      });
    }
    return claimed;
  }

  private makeReady(taskId: string): void {
    this.ready.push(taskId);
    const taskType = this.mustGet(taskId).taskType;
    for (const waiter of this.waiters) if (waiter.taskType === taskType) waiter.wake();
  }

  private waitForWork(taskType: string, timeoutMs: number, res: Response): Promise<void> {
    return new Promise((resolve) => {
      const waiter: PollWaiter = {
        taskType,
        wake: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      this.waiters.add(waiter);
      res.on('close', waiter.wake);
    });
  }

  private nextFault(route: Route): number | undefined {
    const pending = this.faults.get(route);
    return pending === undefined ? undefined : pending.shift();
  }

  private takeFault(route: Route, res: Response): boolean {
    const status = this.nextFault(route);
    if (status === undefined) return false;
    problem(res, status, faultProblem(status));
    return true;
  }

  private mustGet(taskId: string): StoredTask {
    const task = this.tasks.get(taskId);
    if (task === undefined) throw new Error(`no task ${taskId}`);
    return task;
  }
}

function faultProblem(status: number): Partial<P.Problem> {
  return { title: `Injected ${status}`, retryable: status === 429 || status >= 500 };
}

function problem(res: Response, status: number, body: Partial<P.Problem>): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ status, ...body }));
}

/** Resolves when `check` holds, polling every 10 ms; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 4_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
