import { Type, type Static } from '@sinclair/typebox';
import {
  INT32_MAX,
  JsonObject,
  Millis,
  Nullable,
  TaskResultStatusSchema,
  TaskStatusSchema,
  type TaskResultStatus,
  type TaskStatus,
} from './common';

export const TaskExecLog = Type.Object(
  {
    log: Type.String(),
    taskId: Type.Optional(Type.String()),
    createdTime: Type.Optional(Millis()),
  },
  { description: 'One log line of a task attempt.' },
);
export type TaskExecLog = Static<typeof TaskExecLog>;

/**
 * Body of `POST /api/tasks` and `POST /api/tasks/update-v2`: a worker's report on one attempt.
 * Fields Conductor's clients add (executionMetadata, subWorkflowId...) are accepted and ignored.
 */
export const TaskResult = Type.Object(
  {
    taskId: Type.String({ minLength: 1 }),
    workflowInstanceId: Type.Optional(Type.String()),
    workerId: Type.Optional(Nullable(Type.String())),
    attemptToken: Type.Optional(
      Nullable(Type.String({ description: "Baton: the poll's fencing token; a report that carries one is checked against the claim." })),
    ),
    status: TaskResultStatusSchema,
    outputData: Type.Optional(Nullable(JsonObject)),
    reasonForIncompletion: Type.Optional(Nullable(Type.String())),
    // Conductor's int32 seconds: 1e308 would put visibleAt at Infinity and park the task forever.
    callbackAfterSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: INT32_MAX }))),
    extendLease: Type.Optional(Type.Boolean()),
    logs: Type.Optional(Nullable(Type.Array(TaskExecLog))),
    externalOutputPayloadStoragePath: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 400,
          description: 'The output was uploaded to this path of a WRITE location (GET /api/tasks/external-storage-location).',
        }),
      ),
    ),
  },
  { description: "A worker's report: IN_PROGRESS (lease extension or callback), COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR." },
);
/** The report as a client builds it; `status` narrowed to the reportable statuses. */
export type TaskResult = Omit<Static<typeof TaskResult>, 'status'> & { status: TaskResultStatus };

const workflowTaskRef = Type.Object({ name: Type.String(), taskReferenceName: Type.String(), type: Type.String() });

/** A task attempt as the server shows it (poll answers, workflow executions, GET /tasks/{id}). */
export const Task = Type.Object({
  taskId: Type.String(),
  workflowInstanceId: Type.String(),
  taskType: Type.String(),
  status: TaskStatusSchema,
  referenceTaskName: Type.String(),
  taskDefName: Type.String(),
  workflowType: Type.String(),
  inputData: JsonObject,
  outputData: JsonObject,
  retryCount: Type.Integer(),
  seq: Type.Integer(),
  pollCount: Type.Integer(),
  iteration: Type.Integer(),
  scheduledTime: Millis(),
  startTime: Millis(),
  endTime: Millis(),
  updateTime: Millis(),
  callbackAfterSeconds: Type.Integer(),
  responseTimeoutSeconds: Type.Integer(),
  workflowPriority: Type.Integer(),
  reasonForIncompletion: Type.Optional(Type.String()),
  workerId: Type.Optional(Type.String()),
  correlationId: Type.Optional(Type.String()),
  workflowTask: Type.Optional(workflowTaskRef),
  attemptToken: Type.Optional(Type.String({ description: 'Baton: the fencing token of the current claim; echo it in reports.' })),
  leaseUntil: Type.Optional(Millis('Baton: when the current claim lapses.')),
  visibleAt: Type.Optional(Millis('Baton: earliest time a worker may claim it.')),
  timeoutPolicy: Type.Optional(Type.String()),
  timedOutBy: Type.Optional(Type.String()),
  exhausted: Type.Optional(Type.Boolean({ description: 'Baton: its step gave up after this attempt (a poison task).' })),
  payloadCodec: Type.Optional(
    Type.Object(
      { clearFields: Type.Array(Type.String()) },
      {
        description:
          "Baton: the workflow definition's payloadCodec; a worker with a codec encodes every output field but these (docs/payloads.md).",
      },
    ),
  ),
  externalInputPayloadStoragePath: Type.Optional(
    Type.String({ description: 'The input is in the payload store: read it through a READ location (inputData is then empty).' }),
  ),
  externalOutputPayloadStoragePath: Type.Optional(
    Type.String({ description: 'The output is in the payload store: read it through a READ location (outputData is then empty).' }),
  ),
});

/** Conductor's ExternalStorageLocation: where to PUT (WRITE) or GET (READ) a payload, and the path to report or keep. */
export const ExternalStorageLocation = Type.Object({
  uri: Type.String({ description: 'A signed URL of this engine, valid for a limited time.' }),
  path: Type.String(),
});
export type ExternalStorageLocation = Static<typeof ExternalStorageLocation>;
export type Task = Omit<Static<typeof Task>, 'status'> & { status: TaskStatus };

/** Conductor's TaskSummary (search results): times and payloads as strings, as its clients expect. */
export const TaskSummary = Type.Object({
  taskId: Type.String(),
  workflowId: Type.String(),
  workflowType: Type.String(),
  correlationId: Type.Optional(Type.String()),
  scheduledTime: Type.String({ description: 'ISO 8601, UTC' }),
  startTime: Type.Optional(Type.String()),
  updateTime: Type.Optional(Type.String()),
  endTime: Type.Optional(Type.String()),
  status: TaskStatusSchema,
  reasonForIncompletion: Type.Optional(Type.String()),
  executionTime: Type.Integer({ description: 'ms from start to end (0 while running)' }),
  queueWaitTime: Type.Integer({ description: 'ms from schedule to start' }),
  taskDefName: Type.String(),
  taskType: Type.String(),
  referenceTaskName: Type.String(),
  retryCount: Type.Integer(),
  workerId: Type.Optional(Type.String()),
  input: Type.String({ description: 'the input as JSON text' }),
  output: Type.String({ description: 'the output as JSON text' }),
  workflowPriority: Type.Integer(),
});
export type TaskSummary = Static<typeof TaskSummary>;

/** Conductor's PollData: the last poll of a task queue by one worker. */
export const PollData = Type.Object({
  queueName: Type.String(),
  domain: Type.Optional(Type.String()),
  workerId: Type.String(),
  lastPollTime: Millis(),
});
export type PollData = Static<typeof PollData>;

/** Baton: retry the failed step of FAILED workflows that gave up on one task type. */
export const RetryFailedTasksRequest = Type.Object({
  taskType: Type.String({ minLength: 1 }),
  workflowIds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 1000 })),
});
export type RetryFailedTasksRequest = Static<typeof RetryFailedTasksRequest>;
