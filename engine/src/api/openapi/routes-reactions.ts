import { ref } from './components';
import type { RouteDoc } from './routes';

type Param = NonNullable<RouteDoc['params']>[number];

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
const names = { schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'schedule names' };
const bulk = { '200': ['which schedules the operation applied to, and why the others failed', ref('BulkResponse')] } as RouteDoc['ok'];
const wfId = path('workflowId');

/**
 * The routes of events, signals, queries, schedules and flow control (docs/events.md,
 * docs/flow-control.md), documented like routes.ts's and appended to them.
 */
export const reactionRouteDocs: RouteDoc[] = [
  // ---- events
  {
    method: 'post',
    path: '/api/events',
    tag: 'event',
    summary: 'Publish an event: stored before the answer, then acted on by its handlers and the WAIT_FOR_EVENT steps it matches',
    conductor: false,
    body: { schema: ref('PublishEventRequest'), yaml: true },
    ok: { '202': ['stored; `created` is false for an id published before', ref('PublishEventResponse')] },
  },
  {
    method: 'get',
    path: '/api/events',
    tag: 'event',
    summary: 'Recent events, newest first, with the runs they started or resumed',
    conductor: false,
    params: [q('name', 'string', 'events of this name only'), q('limit', 'integer', 'at most 1000', 100)],
    ok: { '200': ['events', arr(ref('EventView'))] },
  },
  {
    method: 'get',
    path: '/api/events/{eventId}',
    tag: 'event',
    summary: 'One stored event and what it did',
    conductor: false,
    params: [path('eventId')],
    ok: { '200': ['the event', ref('EventView')] },
  },
  {
    method: 'post',
    path: '/api/events/{eventId}/replay',
    tag: 'event',
    summary: "Publish a stored event's name and data again, as a new event",
    conductor: false,
    params: [path('eventId')],
    ok: { '202': ['the new event', { type: 'object', properties: { id: { type: 'string' }, replayOf: { type: 'string' } } }] },
  },
  {
    method: 'get',
    path: '/api/event',
    tag: 'event',
    summary: 'List event handlers',
    conductor: true,
    ok: { '200': ['event handlers', arr(ref('EventHandler'))] },
  },
  {
    method: 'post',
    path: '/api/event',
    tag: 'event',
    summary: 'Add an event handler (409 when its name exists)',
    conductor: true,
    body: { schema: ref('EventHandler'), yaml: true },
    ok: { '200': ['added'] },
  },
  {
    method: 'put',
    path: '/api/event',
    tag: 'event',
    summary: 'Update an event handler (404 when there is none of its name)',
    conductor: true,
    body: { schema: ref('EventHandler'), yaml: true },
    ok: { '200': ['updated'] },
  },
  {
    method: 'get',
    path: '/api/event/{event}',
    tag: 'event',
    summary: 'Event handlers of one event (`conductor:<name>`)',
    conductor: true,
    params: [path('event', '`conductor:<name>`'), q('activeOnly', 'boolean', 'only active handlers', true)],
    ok: { '200': ['event handlers', arr(ref('EventHandler'))] },
  },
  {
    method: 'delete',
    path: '/api/event/{name}',
    tag: 'event',
    summary: 'Remove an event handler',
    conductor: true,
    params: [path('name')],
    ok: { '200': ['removed'] },
  },

  // ---- one workflow: signals, queries, flow control
  {
    method: 'post',
    path: '/api/workflow/{workflowId}/signal/{signalName}',
    tag: 'workflow',
    summary:
      "Send a signal: stored durably, in order, in the workflow's inbox, for a WAIT_FOR_SIGNAL step to take (409 when the workflow ended)",
    conductor: false,
    params: [wfId, path('signalName'), q('signalId', 'string', 'makes the send idempotent: a signal with this id is stored once')],
    body: { schema: {}, description: 'the payload (any JSON)', yaml: true },
    ok: { '202': ['stored', ref('WorkflowSignal')] },
  },
  {
    method: 'get',
    path: '/api/workflow/{workflowId}/signals',
    tag: 'workflow',
    summary: "The workflow's signal inbox, in order",
    conductor: false,
    params: [wfId, q('limit', 'integer', 'at most 10000', 1000)],
    ok: { '200': ['signals', arr(ref('WorkflowSignal'))] },
  },
  {
    method: 'get',
    path: '/api/workflow/{workflowId}/query/{name}',
    tag: 'workflow',
    summary:
      "Answer one of the definition's queries (a jq expression over the run's state); changes nothing. 404: no such query; 422: the expression failed",
    conductor: false,
    params: [wfId, path('name')],
    ok: { '200': ["the query's value", {}] },
  },
  {
    method: 'get',
    path: '/api/workflow/{workflowId}/flow',
    tag: 'workflow',
    summary: 'Where the run stands with flow control: waiting (in which queue, at which place), debouncing, or let in',
    conductor: false,
    params: [wfId],
    ok: { '200': ['its flow-control state', ref('FlowStatus')] },
  },
  {
    method: 'post',
    path: '/api/tasks/{workflowId}/{status}/signal',
    tag: 'task',
    summary:
      "Signal the workflow's blocked task (its first open WAIT, or a running sub-workflow's) with a status; the body is merged into its output",
    conductor: true,
    params: [wfId, path('status', 'COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR')],
    body: { schema: { type: 'object' }, description: 'the task output' },
    ok: { '200': ['signalled'] },
  },
  {
    method: 'post',
    path: '/api/tasks/{workflowId}/{status}/signal/sync',
    tag: 'task',
    summary: 'Signal the blocked task, then wait until the workflow blocks again or ends, and answer per returnStrategy',
    conductor: true,
    params: [
      wfId,
      path('status', 'COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR'),
      q('returnStrategy', 'string', 'TARGET_WORKFLOW, BLOCKING_WORKFLOW, BLOCKING_TASK or BLOCKING_TASK_INPUT', 'TARGET_WORKFLOW'),
      q('timeoutMillis', 'integer', 'longest wait (at most 600000)', 5000),
    ],
    body: { schema: { type: 'object' }, description: 'the task output' },
    ok: { '200': ['the workflow or task, per returnStrategy', ref('SignalResponse')] },
  },

  // ---- scheduler
  {
    method: 'post',
    path: '/api/scheduler/schedules',
    tag: 'scheduler',
    summary: 'Create or update a schedule',
    conductor: true,
    body: { schema: ref('WorkflowSchedule'), yaml: true },
    ok: { '200': ['the schedule as stored, with its next due time', ref('WorkflowSchedule')] },
  },
  {
    method: 'get',
    path: '/api/scheduler/schedules',
    tag: 'scheduler',
    summary: 'List schedules',
    conductor: true,
    params: [q('workflowName', 'string', 'schedules of this workflow only')],
    ok: { '200': ['schedules', arr(ref('WorkflowSchedule'))] },
  },
  {
    method: 'get',
    path: '/api/scheduler/schedules/search',
    tag: 'scheduler',
    summary: 'Search schedules',
    conductor: true,
    params: [
      q('workflowName', 'string', 'of this workflow'),
      q('scheduleName', 'string', 'this schedule'),
      q('paused', 'boolean', 'paused or not'),
      q('freeText', 'string', 'text in the name or description', '*'),
      q('start', 'integer', 'offset', 0),
      q('size', 'integer', 'page size (at most 1000)', 100),
      q('sort', 'string', '`name:ASC` or `name:DESC`'),
    ],
    ok: {
      '200': [
        'a page of schedules',
        { type: 'object', properties: { totalHits: { type: 'integer' }, results: arr(ref('WorkflowSchedule')) } },
      ],
    },
  },
  {
    method: 'get',
    path: '/api/scheduler/schedules/{name}',
    tag: 'scheduler',
    summary: 'Get a schedule',
    conductor: true,
    params: [path('name')],
    ok: { '200': ['the schedule', ref('WorkflowSchedule')] },
  },
  {
    method: 'delete',
    path: '/api/scheduler/schedules/{name}',
    tag: 'scheduler',
    summary: 'Delete a schedule',
    conductor: true,
    params: [path('name')],
    ok: { '200': ['deleted'] },
  },
  {
    method: 'put',
    path: '/api/scheduler/schedules/{name}/pause',
    tag: 'scheduler',
    summary: 'Pause a schedule: its due times pass without a run',
    conductor: true,
    params: [path('name'), q('reason', 'string', 'why (shown as pausedReason)')],
    ok: { '200': ['paused'] },
  },
  {
    method: 'put',
    path: '/api/scheduler/schedules/{name}/resume',
    tag: 'scheduler',
    summary: 'Resume a schedule from its next due time (what passed while paused is not caught up)',
    conductor: true,
    params: [path('name')],
    ok: { '200': ['resumed'] },
  },
  {
    method: 'put',
    path: '/api/scheduler/bulk/pause',
    tag: 'scheduler',
    summary: 'Pause schedules',
    conductor: true,
    params: [q('reason', 'string', 'why')],
    body: names,
    ok: bulk,
  },
  {
    method: 'put',
    path: '/api/scheduler/bulk/resume',
    tag: 'scheduler',
    summary: 'Resume schedules',
    conductor: true,
    body: names,
    ok: bulk,
  },
  {
    method: 'get',
    path: '/api/scheduler/nextFewSchedules',
    tag: 'scheduler',
    summary: 'The next due times of a cron expression',
    conductor: true,
    params: [
      q('cronExpression', 'string', 'six fields, seconds first'),
      q('zoneId', 'string', 'Baton: the time zone (default UTC)', 'UTC'),
      q('scheduleStartTime', 'integer', 'from (epoch ms; default now)'),
      q('scheduleEndTime', 'integer', 'until (epoch ms)'),
      q('limit', 'integer', 'how many (at most 1000)', 5),
    ],
    ok: { '200': ['due times, epoch ms', arr({ type: 'integer' })] },
  },
  {
    method: 'get',
    path: '/api/scheduler/search/executions',
    tag: 'scheduler',
    summary: 'Search schedule executions (what each due time started)',
    conductor: true,
    params: [
      q(
        'query',
        'string',
        '`scheduleName = a AND state IN (FAILED) AND scheduledTime > 1767225600000`: scheduleName, workflowName, state, scheduledTime',
      ),
      q('start', 'integer', 'offset', 0),
      q('size', 'integer', 'page size (at most 1000)', 100),
      q('sort', 'string', '`scheduledTime:ASC` or `scheduledTime:DESC` (default)'),
    ],
    ok: {
      '200': [
        'a page of executions, newest first',
        { type: 'object', properties: { totalHits: { type: 'integer' }, results: arr(ref('WorkflowScheduleExecution')) } },
      ],
    },
  },
];
