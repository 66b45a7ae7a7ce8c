import type { Server } from 'node:http';
import { BatonWorker } from '@baton/workers-sdk';

/**
 * Shared by the reliability suites (docs/reliability.md): an order-like flow that touches the
 * decider's main paths (a sequence, a FORK_JOIN and its JOIN, a SWITCH, a SUB_WORKFLOW), workers
 * that record every side effect, and the checks every suite makes on the runs it started.
 */
export const WORKER_STEPS = ['prepare', 'left', 'right', 'express', 'standard', 'child_step'] as const;

export function taskDefs(responseTimeoutSeconds = 2): unknown[] {
  return WORKER_STEPS.map((name) => ({ name, responseTimeoutSeconds, retryCount: 20, retryDelaySeconds: 0 }));
}

export const childFlow = {
  name: 'rel_child',
  tasks: [{ name: 'child_step', taskReferenceName: 'child_step', inputParameters: { n: '${workflow.input.n}' } }],
  outputParameters: { n: '${child_step.output.n}' },
};

export const mainFlow = {
  name: 'rel_flow',
  tasks: [
    { name: 'prepare', taskReferenceName: 'prepare', inputParameters: { n: '${workflow.input.n}' } },
    {
      name: 'fork',
      taskReferenceName: 'fork',
      type: 'FORK_JOIN',
      forkTasks: [
        [{ name: 'left', taskReferenceName: 'left', inputParameters: { n: '${prepare.output.n}' } }],
        [{ name: 'right', taskReferenceName: 'right', inputParameters: { n: '${prepare.output.n}' } }],
      ],
    },
    { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['left', 'right'] },
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType: 'value-param',
      expression: 'speed',
      inputParameters: { speed: '${workflow.input.speed}' },
      decisionCases: { express: [{ name: 'express', taskReferenceName: 'express', inputParameters: { n: '${left.output.n}' } }] },
      defaultCase: [{ name: 'standard', taskReferenceName: 'standard', inputParameters: { n: '${right.output.n}' } }],
    },
    {
      name: 'rel_child',
      taskReferenceName: 'child',
      type: 'SUB_WORKFLOW',
      subWorkflowParam: { name: 'rel_child' },
      inputParameters: { n: '${prepare.output.n}' },
    },
  ],
  outputParameters: { n: '${child.output.n}', express: '${express.output.n}', standard: '${standard.output.n}' },
};

/** What a run of mainFlow started with n answers (each worker step adds 1): proves its steps ran on each other's outputs. */
export function expectedOutput(n: number, speed: 'express' | 'standard'): Record<string, number> {
  return { n: n + 2, [speed]: n + 3 };
}

/** One side effect a worker ran: which attempt of which step, where. */
export interface SideEffect {
  workflowId: string;
  ref: string;
  taskId: string;
  retryCount: number;
  worker: string;
}

/** SDK workers (one per engine URL) for every step; each handler records its side effect and answers n + 1. */
export function recordingWorkers(urls: readonly string[], effects: SideEffect[]): BatonWorker[] {
  return urls.map((serverUrl, i) => {
    const workerId = `rel-worker-${i}`;
    const w = new BatonWorker({
      serverUrl,
      workerId,
      pollTimeoutMs: 500,
      retry: { retries: 20, minTimeoutMs: 50, maxTimeoutMs: 1000, maxRetryTimeMs: 60_000 },
    });
    for (const step of WORKER_STEPS) {
      w.register<{ n: number }, { n: number }>({
        taskType: step,
        concurrency: 4,
        handler: (input, ctx) => {
          effects.push({
            workflowId: ctx.workflowInstanceId,
            ref: ctx.referenceTaskName,
            taskId: ctx.taskId,
            retryCount: ctx.retryCount,
            worker: workerId,
          });
          return { n: Number(input.n) + 1 };
        },
      });
    }
    return w;
  });
}

/** Every HTTP answer an engine sent, by status (a 500 is a bug; 503 must be the store's retryable one). */
export class StatusLog {
  readonly byStatus = new Map<number, number>();
  readonly serverErrors: string[] = [];
  attach(server: Server): void {
    server.on('request', (req, res) => {
      res.on('finish', () => {
        this.byStatus.set(res.statusCode, (this.byStatus.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500 && res.statusCode !== 503) this.serverErrors.push(`${req.method} ${req.url} -> ${res.statusCode}`);
      });
    });
  }
  count(status: number): number {
    return this.byStatus.get(status) ?? 0;
  }
}

export interface RunReport {
  workflowId: string;
  status: string;
  /** Steps with more than one COMPLETED attempt. */
  completedTwice: string[];
  tasks: Array<{ taskId: string; ref: string; status: string; retryCount: number }>;
}

/** Reads a run with its attempts and notes any step completed twice. */
export function runReport(wf: { workflowId: string; status: string; tasks?: Array<Record<string, unknown>> }): RunReport {
  const tasks = (wf.tasks ?? []).map((t) => ({
    taskId: String(t.taskId),
    ref: String(t.referenceTaskName),
    status: String(t.status),
    retryCount: Number(t.retryCount),
  }));
  const completed = new Map<string, number>();
  for (const t of tasks) if (t.status === 'COMPLETED') completed.set(t.ref, (completed.get(t.ref) ?? 0) + 1);
  return {
    workflowId: wf.workflowId,
    status: wf.status,
    completedTwice: [...completed].filter(([, n]) => n > 1).map(([ref]) => ref),
    tasks,
  };
}

/**
 * Side effects that ran more than once for one step, and whether each repeat is explained by a
 * lapsed lease (the earlier attempt ended TIMED_OUT: a worker held it past responseTimeoutSeconds
 * or never got it). The same attempt (taskId) run twice is never explained.
 */
export function duplicateEffects(
  effects: readonly SideEffect[],
  runs: ReadonlyMap<string, RunReport>,
): { total: number; unexplained: string[] } {
  const byStep = new Map<string, SideEffect[]>();
  const byTask = new Map<string, number>();
  for (const e of effects) {
    const key = `${e.workflowId}/${e.ref}`;
    byStep.set(key, [...(byStep.get(key) ?? []), e]);
    byTask.set(e.taskId, (byTask.get(e.taskId) ?? 0) + 1);
  }
  const unexplained: string[] = [];
  let total = 0;
  for (const [taskId, n] of byTask) if (n > 1) unexplained.push(`attempt ${taskId} ran ${n} times`);
  for (const [key, list] of byStep) {
    if (list.length < 2) continue;
    total += list.length - 1;
    const [workflowId] = key.split('/') as [string];
    const run = runs.get(workflowId);
    const ref = key.slice(workflowId.length + 1);
    const lapsed = run?.tasks.filter((t) => t.ref === ref && t.status === 'TIMED_OUT').length ?? 0;
    if (lapsed < list.length - 1) unexplained.push(`${key} ran ${list.length} times with ${lapsed} lapsed lease(s)`);
  }
  return { total, unexplained };
}
