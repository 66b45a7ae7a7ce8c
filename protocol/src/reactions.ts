import { Type, type Static } from '@sinclair/typebox';
import { INT32_MAX, JsonObject, MAX_EPOCH_MS, Millis, Nullable, enumOf } from './common';

const values = (...v: string[]): Record<string, string> => Object.fromEntries(v.map((x) => [x, x]));

/** Body of `POST /api/events`. */
export const PublishEventRequest = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'the event name: handlers listen on `conductor:<name>`, WAIT_FOR_EVENT steps on `<name>`',
    }),
    data: Type.Optional(Type.Unknown({ description: "the payload; to a handler, `${x}` reads `data.x` (Conductor's message payload)" })),
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'makes the publish idempotent: an event with this id is stored and acted on once',
      }),
    ),
  },
  { description: 'An event to publish.' },
);
export type PublishEventRequest = Static<typeof PublishEventRequest>;

export const PublishEventResponse = Type.Object({
  id: Type.String(),
  created: Type.Boolean({ description: 'false when an event with this id was published before (nothing happened again)' }),
});

const EventEffect = Type.Object({
  key: Type.String({ description: '`<handler>#<action index>`, `<handler>#condition` or `resume:<taskId>`' }),
  kind: Type.String(),
  handler: Nullable(Type.String()),
  action: Nullable(Type.String()),
  status: Type.String({ description: 'PENDING (acting), DONE, FAILED or SKIPPED (condition false)' }),
  workflowId: Nullable(Type.String()),
  taskId: Nullable(Type.String()),
  error: Nullable(Type.String()),
  at: Millis(),
});

/** A stored event with what it did (`GET /api/events`). */
export const EventView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  data: Type.Unknown(),
  publishedAt: Millis(),
  source: Type.String({ description: '`api`, `task:<taskId>` (an EVENT task) or `replay:<eventId>`' }),
  status: Type.String({ description: 'PENDING until its handlers and waiting steps were acted on, then PROCESSED' }),
  processedAt: Type.Optional(Millis()),
  started: Type.Array(Type.String(), { description: 'workflows its start_workflow actions started' }),
  resumed: Type.Array(Type.Object({ workflowId: Type.String(), taskId: Type.String() }), {
    description: 'steps it completed: WAIT_FOR_EVENT steps it matched, tasks its complete_task and fail_task actions ended',
  }),
  effects: Type.Array(EventEffect),
});

const TaskDetails = Type.Object({
  workflowId: Type.Optional(Type.String()),
  taskRefName: Type.Optional(Type.String()),
  taskId: Type.Optional(Type.String()),
  output: Type.Optional(Type.Union([JsonObject, Type.String()])),
  reasonForIncompletion: Type.Optional(Type.String()),
});

/** Conductor's Action of an event handler. */
export const EventAction = Type.Object({
  action: enumOf(values('start_workflow', 'complete_task', 'fail_task', 'terminate_workflow', 'update_workflow_variables')),
  start_workflow: Type.Optional(
    Type.Object({
      name: Type.String(),
      version: Type.Optional(Type.Integer({ minimum: 1, maximum: INT32_MAX })),
      correlationId: Type.Optional(Type.String()),
      input: Type.Optional(Type.Union([JsonObject, Type.String()])),
      priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
      idempotencyKey: Type.Optional(Type.String({ description: 'Baton: one run per key (templates allowed: `${orderId}`)' })),
      idempotencyStrategy: Type.Optional(enumOf(values('FAIL', 'RETURN_EXISTING'))),
    }),
  ),
  complete_task: Type.Optional(TaskDetails),
  fail_task: Type.Optional(TaskDetails),
  terminate_workflow: Type.Optional(Type.Object({ workflowId: Type.String(), terminationReason: Type.Optional(Type.String()) })),
  update_workflow_variables: Type.Optional(
    Type.Object({
      workflowId: Type.String(),
      variables: Type.Union([JsonObject, Type.String()]),
      appendArray: Type.Optional(Type.Boolean()),
    }),
  ),
  expandInlineJSON: Type.Optional(Type.Boolean()),
});

/** Conductor's EventHandler (`/api/event`). */
export const EventHandler = Type.Object({
  name: Type.String({ minLength: 1 }),
  event: Type.String({ minLength: 1, description: '`conductor:<event name>`' }),
  condition: Type.Optional(Type.String({ description: 'JavaScript over `$` (the data) and `event`, run in the script sandbox' })),
  actions: Type.Array(EventAction, { minItems: 1 }),
  active: Type.Optional(Type.Boolean({ default: true })),
  evaluatorType: Type.Optional(Type.String()),
});
export type EventHandler = Static<typeof EventHandler>;

/** One signal of a workflow's inbox. */
export const WorkflowSignal = Type.Object({
  signalId: Type.String(),
  workflowId: Type.String(),
  name: Type.String(),
  seq: Type.Integer({ description: 'order of arrival in the inbox, from 1' }),
  receivedAt: Millis(),
  payload: Type.Optional(Type.Unknown()),
  takenBy: Type.Optional(Nullable(Type.String({ description: 'the WAIT_FOR_SIGNAL attempt that took it' }))),
  consumedAt: Type.Optional(Millis()),
});

/** Conductor's SignalResponse (`POST /api/tasks/{workflowId}/{status}/signal/sync`). */
export const SignalResponse = Type.Object({
  responseType: enumOf(values('TARGET_WORKFLOW', 'BLOCKING_WORKFLOW', 'BLOCKING_TASK', 'BLOCKING_TASK_INPUT')),
  targetWorkflowId: Type.String(),
  targetWorkflowStatus: Type.String(),
  workflowId: Type.Optional(Type.String()),
  correlationId: Type.Optional(Type.String()),
  input: Type.Optional(JsonObject),
  output: Type.Optional(JsonObject),
  signalTimeout: Type.Boolean({ description: 'the wait ended on timeoutMillis before the workflow blocked again or ended' }),
  requestId: Type.Optional(Type.String()),
});

const epoch = Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS });

/** Conductor's WorkflowSchedule (`/api/scheduler/schedules`). */
export const WorkflowSchedule = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  cronExpression: Type.String({ minLength: 1, description: 'six fields, seconds first: `0 0 9 * * MON-FRI`' }),
  zoneId: Type.Optional(Nullable(Type.String({ description: 'IANA time zone (default UTC)' }))),
  startWorkflowRequest: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
  paused: Type.Optional(Nullable(Type.Boolean())),
  pausedReason: Type.Optional(Nullable(Type.String())),
  runCatchupScheduleInstances: Type.Optional(
    Nullable(Type.Boolean({ description: 'fire due times missed while no engine ran, in order' })),
  ),
  scheduleStartTime: Type.Optional(Nullable(epoch)),
  scheduleEndTime: Type.Optional(Nullable(epoch)),
  description: Type.Optional(Nullable(Type.String())),
  createTime: Type.Optional(Nullable(epoch)),
  updatedTime: Type.Optional(Nullable(epoch)),
  createdBy: Type.Optional(Nullable(Type.String())),
  updatedBy: Type.Optional(Nullable(Type.String())),
  nextRunTime: Type.Optional(Nullable(epoch)),
});
export type WorkflowSchedule = Static<typeof WorkflowSchedule>;

/** Conductor's WorkflowScheduleExecutionModel. */
export const WorkflowScheduleExecution = Type.Object({
  executionId: Type.String(),
  scheduleName: Type.String(),
  scheduledTime: Millis(),
  executionTime: Millis(),
  workflowName: Type.String(),
  workflowId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  state: enumOf(values('POLLED', 'FAILED', 'EXECUTED')),
  startWorkflowRequest: JsonObject,
  zoneId: Type.String(),
});

/** Where a run stands with flow control (`GET /api/workflow/{id}/flow`). */
export const FlowStatus = Type.Object({
  workflowId: Type.String(),
  state: enumOf(values('ADMITTED', 'DEBOUNCING', 'WAITING')),
  waitingSince: Type.Optional(Millis()),
  waiting: Type.Array(
    Type.Object({ key: Type.String(), position: Type.Integer({ description: 'from 1' }), queued: Type.Integer(), since: Millis() }),
  ),
  holds: Type.Array(Type.String(), { description: 'concurrency keys it holds a slot of' }),
  debounce: Type.Optional(Type.Object({ key: Type.String(), dueAt: Millis() })),
});
