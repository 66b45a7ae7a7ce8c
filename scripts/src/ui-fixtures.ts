import { BatonWorker } from '@baton/workers-sdk';

/**
 * Definitions and workers that exercise every part of the operators' UI: a run with a fork, a
 * switch, a loop and a HUMAN step (ui_showcase), a task that fails until "fixed" (ui_flaky_flow,
 * poison tasks), a WAIT step completed by hand inside a sub-workflow (ui_parent), and a dynamic
 * fork as wide as asked (ui_big, the 1,000-task run). Used by the UI's browser tests
 * (ui/test) and its benchmark (bench-ui.ts).
 */
export const uiTaskDefs = [
  {
    name: 'ui_validate',
    description: 'checks an order',
    retryCount: 2,
    retryDelaySeconds: 1,
    responseTimeoutSeconds: 30,
    ownerEmail: 'ops@example.com',
  },
  {
    name: 'ui_charge',
    retryCount: 3,
    retryLogic: 'EXPONENTIAL_BACKOFF',
    retryDelaySeconds: 2,
    maxRetryDelaySeconds: 10,
    responseTimeoutSeconds: 30,
  },
  { name: 'ui_reserve', responseTimeoutSeconds: 30 },
  { name: 'ui_ship', responseTimeoutSeconds: 30 },
  { name: 'ui_notify', responseTimeoutSeconds: 30 },
  { name: 'ui_flaky', description: 'fails until the bug is fixed', retryCount: 1, retryDelaySeconds: 0, responseTimeoutSeconds: 30 },
  { name: 'ui_item', responseTimeoutSeconds: 60 },
];

export const uiShowcase = {
  name: 'ui_showcase',
  description: 'An order: validate, charge and reserve in parallel, ship by speed, notify three times, then a person approves.',
  version: 1,
  inputParameters: ['orderId', 'express'],
  tasks: [
    {
      name: 'ui_validate',
      taskReferenceName: 'validate',
      type: 'SIMPLE',
      inputParameters: { orderId: '${workflow.input.orderId}', express: '${workflow.input.express}' },
    },
    {
      name: 'fork',
      taskReferenceName: 'fork',
      type: 'FORK_JOIN',
      forkTasks: [
        [{ name: 'ui_charge', taskReferenceName: 'charge', type: 'SIMPLE', inputParameters: { orderId: '${workflow.input.orderId}' } }],
        [{ name: 'ui_reserve', taskReferenceName: 'reserve', type: 'SIMPLE', inputParameters: { orderId: '${workflow.input.orderId}' } }],
      ],
    },
    { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['charge', 'reserve'] },
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType: 'value-param',
      expression: 'speed',
      inputParameters: { speed: '${validate.output.speed}' },
      decisionCases: { express: [{ name: 'ui_ship', taskReferenceName: 'ship_express', type: 'SIMPLE' }] },
      defaultCase: [{ name: 'ui_ship', taskReferenceName: 'ship_standard', type: 'SIMPLE' }],
    },
    {
      name: 'notify_loop',
      taskReferenceName: 'notify_loop',
      type: 'DO_WHILE',
      inputParameters: { times: 3 },
      loopCondition: "$.notify_loop['iteration'] < $.times",
      loopOver: [
        { name: 'ui_notify', taskReferenceName: 'notify', type: 'SIMPLE', inputParameters: { orderId: '${workflow.input.orderId}' } },
      ],
    },
    { name: 'approve', taskReferenceName: 'approve', type: 'HUMAN', inputParameters: { fields: ['approved', 'comment'] } },
  ],
  outputParameters: { approved: '${approve.output.approved}' },
};

export const uiFlaky = {
  name: 'ui_flaky_flow',
  version: 1,
  tasks: [{ name: 'ui_flaky', taskReferenceName: 'flaky', type: 'SIMPLE' }],
};

export const uiWait = {
  name: 'ui_wait_flow',
  version: 1,
  tasks: [
    { name: 'wait', taskReferenceName: 'wait_for_ok', type: 'WAIT' },
    { name: 'ui_notify', taskReferenceName: 'after_wait', type: 'SIMPLE' },
  ],
};

export const uiParent = {
  name: 'ui_parent',
  version: 1,
  tasks: [{ name: 'child', taskReferenceName: 'child', type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'ui_wait_flow', version: 1 } }],
};

export const uiBig = {
  name: 'ui_big',
  description: 'One worker task per item, all at once, then joined.',
  version: 1,
  inputParameters: ['items'],
  tasks: [
    {
      name: 'fan',
      taskReferenceName: 'fan',
      type: 'FORK_JOIN_DYNAMIC',
      inputParameters: { forkTaskName: 'ui_item', forkTaskInputs: '${workflow.input.items}' },
    },
    { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
  ],
};

export const uiWorkflows = [uiShowcase, uiFlaky, uiWait, uiParent, uiBig];

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** Registers the task definitions and workflows (overwriting, so that it can run twice). */
export async function registerUiFixtures(call: Call): Promise<void> {
  await call('POST', '/api/metadata/taskdefs', uiTaskDefs);
  await call('PUT', '/api/metadata/workflow', uiWorkflows);
}

export interface UiWorkerControls {
  /** While true, ui_flaky fails (its poison tasks appear); set false to "fix" it. */
  flakyBroken: boolean;
  /** Orders whose validation says express. */
  speed: (orderId: string) => 'express' | 'standard';
}

/** One SDK worker serving every task type of the fixtures. */
export function uiWorker(serverUrl: string, controls: UiWorkerControls, headers?: Record<string, string>): BatonWorker {
  const worker = new BatonWorker({ serverUrl, workerId: 'ui-test-worker', pollTimeoutMs: 500, ...(headers ? { headers } : {}) });
  worker.register<{ orderId: string }, Record<string, unknown>>({
    taskType: 'ui_validate',
    concurrency: 4,
    handler: async (input, ctx) => {
      // A log line through the REST API, as Conductor's clients add them (POST /api/tasks/{taskId}/log).
      await fetch(`${serverUrl}/api/tasks/${ctx.taskId}/log`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(`validating order ${input.orderId}`),
      });
      return { valid: true, speed: controls.speed(input.orderId) };
    },
  });
  worker.register<{ orderId: string }, Record<string, unknown>>({
    taskType: 'ui_charge',
    concurrency: 4,
    handler: async (i) => ({ charged: true, orderId: i.orderId, amount: 42 }),
  });
  worker.register<{ orderId: string }, Record<string, unknown>>({
    taskType: 'ui_reserve',
    concurrency: 4,
    handler: async (i) => ({ reserved: true, orderId: i.orderId }),
  });
  worker.register<Record<string, unknown>, Record<string, unknown>>({
    taskType: 'ui_ship',
    concurrency: 4,
    handler: async () => ({ trackingId: 'TRK-1' }),
  });
  worker.register<Record<string, unknown>, Record<string, unknown>>({
    taskType: 'ui_notify',
    concurrency: 4,
    handler: async () => ({ sent: true }),
  });
  worker.register<Record<string, unknown>, Record<string, unknown>>({
    taskType: 'ui_flaky',
    concurrency: 4,
    handler: async () => {
      if (controls.flakyBroken) throw new Error('database connection refused (the bug)');
      return { fixed: true };
    },
  });
  worker.register<Record<string, unknown>, Record<string, unknown>>({
    taskType: 'ui_item',
    concurrency: 32,
    handler: async (i) => ({ done: true, index: i.__index ?? null }),
  });
  return worker;
}

/** Items for ui_big: n of them, each a small object, so a run has n worker tasks plus the fork and join. */
export function bigItems(n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ sku: `SKU-${String(i).padStart(5, '0')}`, qty: (i % 5) + 1 }));
}
