import { ref } from './components';
import { reactionRouteDocs } from './routes-reactions';
import { listenerRouteDocs } from './routes-listeners';

/** One parameter of a documented operation. */
interface Param {
  name: string;
  in: 'path' | 'query';
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
  description?: string;
  default?: unknown;
}

/** One operation of Baton's HTTP API, as the OpenAPI document shows it (document.ts). */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  tag: 'metadata' | 'workflow' | 'workflow-bulk' | 'task' | 'search' | 'system' | 'event' | 'scheduler' | 'listeners';
  summary: string;
  /** Conductor has this operation (same path and meaning); false: Baton's own. */
  conductor: boolean;
  params?: Param[];
  /** `example`: a request the operation accepts (OpenAPI examples; API fuzzers start from them). */
  body?: { schema: unknown; description?: string; yaml?: boolean; text?: boolean; example?: unknown };
  /** Status code -> [description, schema or 'text' (text/plain) or none]. */
  ok: Record<string, [string, unknown?]>;
  /**
   * The 200 answer's text is the id of what the operation made: the document links it to every
   * operation taking that path parameter (OpenAPI links, which API fuzzers follow from one call to the next).
   */
  returnsId?: 'workflowId' | 'taskId';
}

const path = (name: string, description?: string): Param => ({
  name,
  in: 'path',
  type: 'string',
  required: true,
  ...(description ? { description } : {}),
});
const q = (name: string, type: Param['type'], description: string, def?: unknown): Param => ({
  name,
  in: 'query',
  type,
  description,
  ...(def !== undefined ? { default: def } : {}),
});
const arr = (items: unknown): unknown => ({ type: 'array', items });
const EXAMPLE_TASK_DEF = { name: 'charge_card', retryCount: 3, retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 1, responseTimeoutSeconds: 30, timeoutSeconds: 120 };
const EXAMPLE_WORKFLOW_DEF = { name: 'checkout', version: 1, tasks: [{ name: 'charge_card', taskReferenceName: 'charge', type: 'SIMPLE', inputParameters: { amount: '${workflow.input.amount}' } }], outputParameters: { receipt: '${charge.output.receipt}' } };
const ids = { schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'workflow ids (at most 1000)' };
const bulk = { '200': ['which ids the operation applied to, and why the others failed', ref('BulkResponse')] } as RouteDoc['ok'];
const searchParams: Param[] = [
  q(
    'query',
    'string',
    'filter: `field = v`, `!=`, `>`, `<`, `>=`, `<=`, `IN (a, b)`, `NOT IN (...)`, AND, OR, parentheses; e.g. `workflowType IN (a) AND status IN (FAILED)`',
  ),
  q('freeText', 'string', 'words that must all occur in the input or output (`*`: any); a trailing * is a prefix', '*'),
  q('sort', 'string', '`field` or `field:ASC|DESC`; repeatable'),
  q('start', 'integer', 'offset of the first result', 0),
  q('size', 'integer', 'page size (at most 1000)', 100),
];

/**
 * Every route the engine serves, documented once here. The route-coverage test sends a request to
 * each one (engine/test/compat/openapi.test.ts), so an entry without a route, or a route moved
 * without its entry, fails the build's tests.
 */
export const routeDocs: RouteDoc[] = [
  // ---- metadata
  {
    method: 'get',
    path: '/api/metadata/taskdefs',
    tag: 'metadata',
    summary: 'List task definitions',
    conductor: true,
    ok: { '200': ['task definitions', arr(ref('TaskDef'))] },
  },
  {
    method: 'post',
    path: '/api/metadata/taskdefs',
    tag: 'metadata',
    summary: 'Register or update task definitions (an array, or one)',
    conductor: true,
    body: { schema: arr(ref('TaskDef')), yaml: true, example: [EXAMPLE_TASK_DEF] },
    ok: { '200': ['the stored definitions', arr(ref('TaskDef'))] },
  },
  {
    method: 'put',
    path: '/api/metadata/taskdefs',
    tag: 'metadata',
    summary: 'Update one task definition',
    conductor: true,
    body: { schema: ref('TaskDef'), yaml: true },
    ok: { '200': ['the stored definition', ref('TaskDef')] },
  },
  {
    method: 'get',
    path: '/api/metadata/taskdefs/{name}',
    tag: 'metadata',
    summary: 'Get a task definition',
    conductor: true,
    params: [path('name')],
    ok: { '200': ['the definition', ref('TaskDef')] },
  },
  {
    method: 'delete',
    path: '/api/metadata/taskdefs/{name}',
    tag: 'metadata',
    summary: 'Delete a task definition',
    conductor: true,
    params: [path('name')],
    ok: { '200': ['deleted'] },
  },
  {
    method: 'get',
    path: '/api/metadata/taskdefs/{name}/changes',
    tag: 'metadata',
    summary: 'Who changed a task definition, when, before and after',
    conductor: false,
    params: [path('name'), q('limit', 'integer', 'newest first, at most 1000', 100)],
    ok: { '200': ['changes, newest first', arr({ type: 'object' })] },
  },
  {
    method: 'get',
    path: '/api/metadata/workflow',
    tag: 'metadata',
    summary: 'List workflow definitions (every version)',
    conductor: true,
    ok: { '200': ['definitions', arr(ref('WorkflowDef'))] },
  },
  {
    method: 'post',
    path: '/api/metadata/workflow',
    tag: 'metadata',
    summary:
      'Register a new workflow definition version (409 if it exists); unregistered task definitions are accepted with a `Warning` header',
    conductor: true,
    body: { schema: ref('WorkflowDef'), yaml: true, example: EXAMPLE_WORKFLOW_DEF },
    ok: { '200': ['the stored definition', ref('WorkflowDef')] },
  },
  {
    method: 'put',
    path: '/api/metadata/workflow',
    tag: 'metadata',
    summary: 'Create or overwrite workflow definitions (an array, or one)',
    conductor: true,
    body: { schema: arr(ref('WorkflowDef')), yaml: true, example: [EXAMPLE_WORKFLOW_DEF] },
    ok: { '200': ['the stored definitions', arr(ref('WorkflowDef'))] },
  },
  {
    method: 'get',
    path: '/api/metadata/workflow/{name}',
    tag: 'metadata',
    summary: 'Get a workflow definition (the latest version, or `version`)',
    conductor: true,
    params: [path('name'), q('version', 'integer', 'a version; the latest when absent')],
    ok: { '200': ['the definition', ref('WorkflowDef')] },
  },
  {
    method: 'delete',
    path: '/api/metadata/workflow/{name}/{version}',
    tag: 'metadata',
    summary: 'Delete one version of a workflow definition',
    conductor: true,
    params: [path('name'), path('version')],
    ok: { '200': ['deleted'] },
  },

  // ---- workflows
  {
    method: 'post',
    path: '/api/workflow',
    tag: 'workflow',
    summary: 'Start a workflow',
    conductor: true,
    body: { schema: ref('StartWorkflowRequest'), yaml: true, example: { name: 'checkout', version: 1, input: { amount: 42 }, correlationId: 'order-42' } },
    ok: { '200': ['the workflow id', 'text'] },
    returnsId: 'workflowId',
  },
  {
    method: 'post',
    path: '/api/workflow/{name}',
    tag: 'workflow',
    summary: 'Start a workflow; the body is its input',
    conductor: true,
    params: [
      path('name'),
      q('version', 'integer', 'a version; the latest when absent'),
      q('correlationId', 'string', 'correlation id'),
      q('priority', 'integer', '0-99', 0),
    ],
    body: { schema: { type: 'object' }, yaml: true, example: { amount: 42 } },
    ok: { '200': ['the workflow id', 'text'] },
    returnsId: 'workflowId',
  },
  {
    method: 'post',
    path: '/api/workflow/execute/{name}/{version}',
    tag: 'workflow',
    summary: 'Start a workflow and wait until it ends, reaches `waitUntilTaskRef` or `waitForSeconds` pass',
    conductor: true,
    params: [
      path('name'),
      path('version'),
      q('requestId', 'string', 'echoed in the answer'),
      q('waitUntilTaskRef', 'string', 'answer once a task with this reference name (or one of several, comma separated) is scheduled'),
      q('waitForSeconds', 'integer', 'longest wait (at most 600)', 10),
    ],
    body: { schema: ref('StartWorkflowRequest'), yaml: true },
    ok: { '200': ['the run as it is when the wait ends', ref('WorkflowRun')] },
  },
  {
    method: 'get',
    path: '/api/workflow/{workflowId}',
    tag: 'workflow',
    summary: 'A workflow execution, with every task attempt',
    conductor: true,
    params: [path('workflowId'), q('includeTasks', 'boolean', 'include the tasks', true)],
    ok: { '200': ['the execution', ref('Workflow')] },
  },
  {
    method: 'delete',
    path: '/api/workflow/{workflowId}',
    tag: 'workflow',
    summary: 'Terminate a workflow',
    conductor: true,
    params: [path('workflowId'), q('reason', 'string', 'why')],
    ok: { '200': ['terminated'] },
  },
  {
    method: 'post',
    path: '/api/workflow/{workflowId}/retry',
    tag: 'workflow',
    summary: 'Retry a FAILED, TIMED_OUT or TERMINATED workflow from its failed step',
    conductor: true,
    params: [path('workflowId')],
    ok: { '204': ['retried'] },
  },
  {
    method: 'get',
    path: '/api/workflow/{workflowId}/status',
    tag: 'workflow',
    summary: 'The status of a workflow',
    conductor: true,
    params: [
      path('workflowId'),
      q('includeOutput', 'boolean', 'include the output', false),
      q('includeVariables', 'boolean', 'include the variables', false),
    ],
    ok: { '200': ['status', ref('WorkflowStatus')] },
  },
  {
    method: 'put',
    path: '/api/workflow/{workflowId}/pause',
    tag: 'workflow',
    summary: 'Pause a RUNNING workflow: no step is scheduled until resume',
    conductor: true,
    params: [path('workflowId')],
    ok: { '200': ['paused (or already paused)'] },
  },
  {
    method: 'put',
    path: '/api/workflow/{workflowId}/resume',
    tag: 'workflow',
    summary: 'Resume a PAUSED workflow',
    conductor: true,
    params: [path('workflowId')],
    ok: { '200': ['resumed'] },
  },
  {
    method: 'post',
    path: '/api/workflow/{workflowId}/restart',
    tag: 'workflow',
    summary: 'Run an ended workflow again from its first step, same id and input',
    conductor: true,
    params: [path('workflowId'), q('useLatestDefinitions', 'boolean', 'use the latest version of its definition', false)],
    ok: { '204': ['restarted'] },
  },
  {
    method: 'post',
    path: '/api/workflow/{workflowId}/rerun',
    tag: 'workflow',
    summary: 'Run a workflow again from one of its tasks (that step and what depends on it), or whole; answers its id',
    conductor: true,
    params: [path('workflowId')],
    body: { schema: ref('RerunWorkflowRequest') },
    ok: { '200': ['the workflow id', 'text'] },
  },
  {
    method: 'put',
    path: '/api/workflow/{workflowId}/skiptask/{taskReferenceName}',
    tag: 'workflow',
    summary: 'Skip a step: end its open attempt as SKIPPED, or record a step not reached yet as SKIPPED',
    conductor: true,
    params: [path('workflowId'), path('taskReferenceName')],
    body: { schema: ref('SkipTaskRequest'), description: 'optional: the skipped step\'s input and output' },
    ok: { '200': ['skipped'] },
  },
  {
    method: 'delete',
    path: '/api/workflow/{workflowId}/remove',
    tag: 'workflow',
    summary: 'Delete an ended workflow and its tasks (409 while it runs)',
    conductor: true,
    params: [path('workflowId'), q('archiveWorkflow', 'boolean', 'accepted for compatibility; Baton keeps no archive', true)],
    ok: { '200': ['removed'] },
  },
  {
    method: 'delete',
    path: '/api/workflow/{workflowId}/terminate-remove',
    tag: 'workflow',
    summary: 'Terminate a workflow if it runs, then delete it',
    conductor: true,
    params: [path('workflowId'), q('reason', 'string', 'why')],
    ok: { '200': ['removed'] },
  },
  {
    method: 'post',
    path: '/api/workflow/{workflowId}/variables',
    tag: 'workflow',
    summary: 'Set workflow variables (merged into the current ones)',
    conductor: true,
    params: [path('workflowId')],
    body: { schema: { type: 'object' }, yaml: true },
    ok: { '200': ['the workflow', ref('Workflow')] },
  },
  {
    method: 'get',
    path: '/api/workflow/running/{name}',
    tag: 'workflow',
    summary: 'Ids of the RUNNING workflows of a name and version',
    conductor: true,
    params: [
      path('name'),
      q('version', 'integer', 'version', 1),
      q('startTime', 'integer', 'started at or after (epoch ms)'),
      q('endTime', 'integer', 'started at or before (epoch ms)'),
    ],
    ok: { '200': ['workflow ids', arr({ type: 'string' })] },
  },
  {
    method: 'get',
    path: '/api/workflow/{name}/correlated/{correlationId}',
    tag: 'workflow',
    summary: 'Workflows of a name with a correlation id',
    conductor: true,
    params: [
      path('name'),
      path('correlationId'),
      q('includeClosed', 'boolean', 'include ended ones', false),
      q('includeTasks', 'boolean', 'include tasks', false),
    ],
    ok: { '200': ['workflows, newest first', arr(ref('Workflow'))] },
  },
  {
    method: 'post',
    path: '/api/workflow/{name}/correlated',
    tag: 'workflow',
    summary: 'Workflows of a name for each correlation id',
    conductor: true,
    params: [
      path('name'),
      q('includeClosed', 'boolean', 'include ended ones', false),
      q('includeTasks', 'boolean', 'include tasks', false),
    ],
    body: { schema: arr({ type: 'string' }), description: 'correlation ids' },
    ok: { '200': ['workflows per correlation id', { type: 'object', additionalProperties: arr(ref('Workflow')) }] },
  },
  {
    method: 'post',
    path: '/api/workflow/correlated/batch',
    tag: 'workflow',
    summary: 'Workflows of several names for each correlation id',
    conductor: true,
    params: [q('includeClosed', 'boolean', 'include ended ones', false), q('includeTasks', 'boolean', 'include tasks', false)],
    body: { schema: ref('CorrelationIdsSearchRequest') },
    ok: { '200': ['workflows per correlation id', { type: 'object', additionalProperties: arr(ref('Workflow')) }] },
  },
  {
    method: 'put',
    path: '/api/workflow/bulk/pause',
    tag: 'workflow-bulk',
    summary: 'Pause workflows',
    conductor: true,
    body: ids,
    ok: bulk,
  },
  {
    method: 'put',
    path: '/api/workflow/bulk/resume',
    tag: 'workflow-bulk',
    summary: 'Resume workflows',
    conductor: true,
    body: ids,
    ok: bulk,
  },
  {
    method: 'post',
    path: '/api/workflow/bulk/restart',
    tag: 'workflow-bulk',
    summary: 'Restart workflows',
    conductor: true,
    params: [q('useLatestDefinitions', 'boolean', 'use the latest definitions', false)],
    body: ids,
    ok: bulk,
  },
  {
    method: 'post',
    path: '/api/workflow/bulk/retry',
    tag: 'workflow-bulk',
    summary: 'Retry workflows',
    conductor: true,
    body: ids,
    ok: bulk,
  },
  {
    method: 'post',
    path: '/api/workflow/bulk/terminate',
    tag: 'workflow-bulk',
    summary: 'Terminate workflows',
    conductor: true,
    params: [q('reason', 'string', 'why')],
    body: ids,
    ok: bulk,
  },
  {
    method: 'delete',
    path: '/api/workflow/bulk/remove',
    tag: 'workflow-bulk',
    summary: 'Remove ended workflows',
    conductor: true,
    body: ids,
    ok: bulk,
  },
  {
    method: 'delete',
    path: '/api/workflow/bulk/terminate-remove',
    tag: 'workflow-bulk',
    summary: 'Terminate and remove workflows',
    conductor: true,
    params: [q('reason', 'string', 'why')],
    body: ids,
    ok: bulk,
  },

  // ---- search
  {
    method: 'get',
    path: '/api/workflow/search',
    tag: 'search',
    summary: 'Search workflows (WorkflowSummary items), newest first',
    conductor: true,
    params: [
      ...searchParams,
      q('workflowName', 'string', "Baton's older filter: workflowType ="),
      q('status', 'string', "Baton's older filter: status IN (comma separated)"),
      q('correlationId', 'string', "Baton's older filter: correlationId ="),
    ],
    ok: { '200': ['a page', ref('SearchResultWorkflowSummary')] },
  },
  {
    method: 'get',
    path: '/api/workflow/search-v2',
    tag: 'search',
    summary: 'Search workflows (whole Workflow items, without tasks)',
    conductor: true,
    params: searchParams,
    ok: { '200': ['a page', ref('SearchResultWorkflow')] },
  },
  {
    method: 'get',
    path: '/api/tasks/search',
    tag: 'search',
    summary: 'Search task attempts (TaskSummary items), newest update first',
    conductor: true,
    params: searchParams,
    ok: { '200': ['a page', ref('SearchResultTaskSummary')] },
  },
  {
    method: 'get',
    path: '/api/tasks/search-v2',
    tag: 'search',
    summary: 'Search task attempts (whole Task items)',
    conductor: true,
    params: searchParams,
    ok: { '200': ['a page', ref('SearchResultTask')] },
  },

  // ---- tasks
  {
    method: 'get',
    path: '/api/tasks/poll/batch/{taskType}',
    tag: 'task',
    summary: 'Claim up to `count` tasks, long-polling up to `timeout` ms',
    conductor: true,
    params: [
      path('taskType'),
      q('workerid', 'string', 'worker id'),
      q('count', 'integer', 'tasks wanted', 1),
      q('timeout', 'integer', 'ms to wait for one', 100),
      q('domain', 'string', 'accepted; Baton has no task domains'),
    ],
    ok: { '200': ['claimed tasks (each with its attemptToken)', arr(ref('Task'))] },
  },
  {
    method: 'get',
    path: '/api/tasks/poll/{taskType}',
    tag: 'task',
    summary: 'Claim one task',
    conductor: true,
    params: [
      path('taskType'),
      q('workerid', 'string', 'worker id'),
      q('timeout', 'integer', 'ms to wait', 0),
      q('domain', 'string', 'accepted; Baton has no task domains'),
    ],
    ok: { '200': ['the task', ref('Task')], '204': ['nothing to claim'] },
  },
  {
    method: 'post',
    path: '/api/tasks',
    tag: 'task',
    summary: 'Report a result (or IN_PROGRESS: lease extension, callback)',
    conductor: true,
    body: { schema: ref('TaskResult') },
    ok: { '200': ['the task id', 'text'] },
  },
  {
    method: 'post',
    path: '/api/tasks/update-v2',
    tag: 'task',
    summary: 'Report a result and claim the next task of the same type for the same worker',
    conductor: true,
    body: { schema: ref('TaskResult') },
    ok: { '200': ['the next task, or null', { oneOf: [ref('Task'), { type: 'null' }] }] },
  },
  {
    method: 'post',
    path: '/api/tasks/{workflowId}/{taskRefName}/{status}',
    tag: 'task',
    summary: "Complete a step's open task by reference name; the body is its output",
    conductor: true,
    params: [path('workflowId'), path('taskRefName'), path('status', 'COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR')],
    body: { schema: { type: 'object' } },
    ok: { '200': ['the task id', 'text'] },
  },
  {
    method: 'post',
    path: '/api/tasks/{workflowId}/{taskRefName}/{status}/sync',
    tag: 'task',
    summary: 'The same, answering the workflow after the decision',
    conductor: true,
    params: [path('workflowId'), path('taskRefName'), path('status', 'COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR')],
    body: { schema: { type: 'object' } },
    ok: { '200': ['the workflow', ref('Workflow')] },
  },
  {
    method: 'get',
    path: '/api/tasks/{taskId}',
    tag: 'task',
    summary: 'A task attempt',
    conductor: true,
    params: [path('taskId')],
    ok: { '200': ['the task', ref('Task')] },
  },
  {
    method: 'get',
    path: '/api/tasks/{taskId}/log',
    tag: 'task',
    summary: 'Log lines of a task attempt, oldest first',
    conductor: true,
    params: [path('taskId')],
    ok: { '200': ['log lines', arr(ref('TaskExecLog'))] },
  },
  {
    method: 'post',
    path: '/api/tasks/{taskId}/log',
    tag: 'task',
    summary: 'Add a log line to a task attempt',
    conductor: true,
    params: [path('taskId')],
    body: { schema: { type: 'string', maxLength: 32768 }, text: true },
    ok: { '200': ['added'] },
  },
  {
    method: 'get',
    path: '/api/tasks/queue/sizes',
    tag: 'task',
    summary: 'Claimable tasks per type',
    conductor: true,
    params: [q('taskType', 'string', 'task types (repeatable)')],
    ok: { '200': ['sizes', { type: 'object', additionalProperties: { type: 'integer' } }] },
  },
  {
    method: 'get',
    path: '/api/tasks/queue/all',
    tag: 'task',
    summary: 'Claimable tasks of every type that has some',
    conductor: true,
    ok: { '200': ['sizes', { type: 'object', additionalProperties: { type: 'integer' } }] },
  },
  {
    method: 'get',
    path: '/api/tasks/queue/polldata',
    tag: 'task',
    summary: 'The last poll of a task type by each worker (last 24 h)',
    conductor: true,
    params: [{ ...q('taskType', 'string', 'task type'), required: true }],
    ok: { '200': ['poll data', arr(ref('PollData'))] },
  },
  {
    method: 'get',
    path: '/api/tasks/queue/polldata/all',
    tag: 'task',
    summary: 'The last poll of every task type by each worker',
    conductor: true,
    ok: { '200': ['poll data', arr(ref('PollData'))] },
  },
  {
    method: 'get',
    path: '/api/tasks/failed',
    tag: 'task',
    summary: 'Poison tasks: attempts after which their step gave up, newest first',
    conductor: false,
    params: [q('taskType', 'string', 'one task type'), q('limit', 'integer', 'at most 1000', 100)],
    ok: { '200': ['tasks', arr(ref('Task'))] },
  },
  {
    method: 'post',
    path: '/api/tasks/failed/retry',
    tag: 'task',
    summary: 'After a fix: retry every FAILED workflow whose failed step is of a type',
    conductor: false,
    body: { schema: ref('RetryFailedTasksRequest') },
    ok: { '200': ['retried and skipped workflows', { type: 'object' }] },
  },

  // ---- system
  {
    method: 'get',
    path: '/health',
    tag: 'system',
    summary: 'Liveness and the store in use',
    conductor: true,
    ok: { '200': ['healthy', { type: 'object' }] },
  },
  {
    method: 'get',
    path: '/api/health',
    tag: 'system',
    summary: 'The same, under /api',
    conductor: true,
    ok: { '200': ['healthy', { type: 'object' }] },
  },
  { method: 'get', path: '/metrics', tag: 'system', summary: 'Prometheus metrics', conductor: false, ok: { '200': ['metrics', 'text'] } },
  {
    method: 'get',
    path: '/api-docs',
    tag: 'system',
    summary: 'This document (OpenAPI 3.1)',
    conductor: true,
    ok: { '200': ['the document', { type: 'object' }] },
  },
];

// Events, signals, queries, schedules and flow control (routes-reactions.ts).
routeDocs.push(...reactionRouteDocs);
// Status listeners and alerts (routes-listeners.ts).
routeDocs.push(...listenerRouteDocs);
