import { Type, type Static } from '@sinclair/typebox';
import { INT32_MAX, JsonObject, Millis, Nullable, WorkflowStatusSchema, enumOf, type WorkflowStatus } from './common';
import { Task } from './task';

/** Body of `POST /api/workflow` and of the execute route. */
export const StartWorkflowRequest = Type.Object({
  name: Type.String({ minLength: 1 }),
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: INT32_MAX })),
  input: Type.Optional(JsonObject),
  correlationId: Type.Optional(Nullable(Type.String())),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
  workflowDef: Type.Optional(Type.Object({}, { description: 'an inline WorkflowDef (validated like a registered one)' })),
  taskToDomain: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
  idempotencyKey: Type.Optional(Nullable(Type.String({ maxLength: 256, description: 'one run per key and workflow name' }))),
  idempotencyStrategy: Type.Optional(
    Nullable(
      enumOf(
        { FAIL: 'FAIL', RETURN_EXISTING: 'RETURN_EXISTING', FAIL_ON_RUNNING: 'FAIL_ON_RUNNING' },
        'FAIL (default): 409 naming the existing run; RETURN_EXISTING: its id. FAIL_ON_RUNNING is refused (400).',
      ),
    ),
  ),
  createdBy: Type.Optional(Nullable(Type.String())),
});
export type StartWorkflowRequest = Static<typeof StartWorkflowRequest>;

/** A workflow execution (Conductor's Workflow model), with every task attempt when asked for. */
export const Workflow = Type.Object({
  workflowId: Type.String(),
  workflowName: Type.String(),
  workflowVersion: Type.Integer(),
  status: WorkflowStatusSchema,
  input: JsonObject,
  output: JsonObject,
  variables: Type.Optional(JsonObject),
  correlationId: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Integer()),
  createTime: Type.Optional(Millis()),
  startTime: Type.Optional(Millis()),
  endTime: Type.Optional(Millis()),
  updateTime: Type.Optional(Millis()),
  reasonForIncompletion: Type.Optional(Type.String()),
  failedReferenceTaskNames: Type.Optional(Type.Array(Type.String())),
  parentWorkflowId: Type.Optional(Type.String()),
  parentWorkflowTaskId: Type.Optional(Type.String()),
  lastRetriedTime: Type.Optional(Millis()),
  workflowDefinition: Type.Optional(Type.Object({})),
  tasks: Type.Optional(Type.Array(Task)),
  externalOutputPayloadStoragePath: Type.Optional(
    Type.String({ description: 'The output is in the payload store (output is then empty).' }),
  ),
});
export type Workflow = Omit<Static<typeof Workflow>, 'status' | 'tasks'> & { status: WorkflowStatus; tasks?: import('./task').Task[] };

/** Conductor's WorkflowSummary (search results): times and payloads as strings, as its clients expect. */
export const WorkflowSummary = Type.Object({
  workflowId: Type.String(),
  workflowType: Type.String(),
  version: Type.Integer(),
  correlationId: Type.Optional(Type.String()),
  startTime: Type.String({ description: 'ISO 8601, UTC' }),
  updateTime: Type.Optional(Type.String()),
  endTime: Type.Optional(Type.String()),
  status: WorkflowStatusSchema,
  input: Type.String({ description: 'the input as JSON text' }),
  output: Type.String({ description: 'the output as JSON text' }),
  reasonForIncompletion: Type.Optional(Type.String()),
  executionTime: Type.Integer({ description: 'ms from start to end (0 while running)' }),
  failedReferenceTaskNames: Type.String({ description: 'comma-separated' }),
  priority: Type.Integer(),
  parentWorkflowId: Type.Optional(Type.String()),
  createTime: Millis('Baton: epoch ms, for clients that prefer numbers'),
});
export type WorkflowSummary = Static<typeof WorkflowSummary>;

export const SearchResultWorkflowSummary = Type.Object({ totalHits: Type.Integer(), results: Type.Array(WorkflowSummary) });
export type SearchResultWorkflowSummary = Static<typeof SearchResultWorkflowSummary>;
export const SearchResultWorkflow = Type.Object({ totalHits: Type.Integer(), results: Type.Array(Workflow) });

/** `GET /workflow/{id}/status` (Conductor's WorkflowStatus model). */
export const WorkflowStatusSummary = Type.Object({
  workflowId: Type.String(),
  correlationId: Type.Optional(Type.String()),
  status: WorkflowStatusSchema,
  output: Type.Optional(JsonObject),
  variables: Type.Optional(JsonObject),
});

/**
 * Answer of `POST /workflow/execute/{name}/{version}`: Conductor's WorkflowRun (the SDKs read it)
 * with the SignalResponse fields of Conductor OSS 3.x (responseType TARGET_WORKFLOW).
 */
export const WorkflowRun = Type.Object({
  workflowId: Type.String(),
  requestId: Type.String(),
  correlationId: Type.Optional(Type.String()),
  status: WorkflowStatusSchema,
  input: JsonObject,
  output: JsonObject,
  variables: JsonObject,
  priority: Type.Integer(),
  createTime: Millis(),
  updateTime: Millis(),
  tasks: Type.Array(Task),
  responseType: Type.Literal('TARGET_WORKFLOW'),
  targetWorkflowId: Type.String(),
  targetWorkflowStatus: WorkflowStatusSchema,
  /** True when the wait ended on waitForSeconds, before the workflow ended or reached the task. */
  signalTimeout: Type.Boolean(),
});
export type WorkflowRun = Static<typeof WorkflowRun>;

/** Conductor's BulkResponse: which ids the operation applied to and why the others failed. */
export const BulkResponse = Type.Object({
  bulkSuccessfulResults: Type.Array(Type.String()),
  bulkErrorResults: Type.Record(Type.String(), Type.String()),
});
export type BulkResponse = Static<typeof BulkResponse>;

/** At most this many ids in one bulk request, as in Conductor. */
export const BULK_LIMIT = 1000;
export const WorkflowIdList = Type.Array(Type.String({ minLength: 1 }), { maxItems: BULK_LIMIT });
export const CorrelationIdList = Type.Array(Type.String(), { maxItems: BULK_LIMIT });

/** `POST /workflow/correlated/batch` (Conductor's CorrelationIdsSearchRequest). */
export const CorrelationIdsSearchRequest = Type.Object({
  correlationIds: Type.Array(Type.String(), { maxItems: BULK_LIMIT }),
  workflowNames: Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 }),
});
export type CorrelationIdsSearchRequest = Static<typeof CorrelationIdsSearchRequest>;

/** RFC 9457 problem details plus Conductor's ErrorResponse fields, so both kinds of client read them. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'stable machine-readable code (VALIDATION_FAILED, NOT_FOUND, STALE_ATTEMPT...)' }),
  retryable: Type.Boolean(),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() }))),
  message: Type.String({ description: "Conductor's field: the same text as detail" }),
  validationErrors: Type.Optional(
    Type.Array(Type.Object({ path: Type.String(), message: Type.String(), invalidValue: Type.Optional(Type.Unknown()) }), {
      description: "Conductor's field: the same problems as errors, path = the JSON pointer",
    }),
  ),
});
export type Problem = Static<typeof Problem>;

/** Conductor's RerunWorkflowRequest (`POST /workflow/{workflowId}/rerun`). */
export const RerunWorkflowRequest = Type.Object({
  reRunFromWorkflowId: Type.Optional(Type.String({ minLength: 1 })),
  reRunFromTaskId: Type.Optional(
    Type.String({ minLength: 1, description: 'the step of this task and what depends on it run again; absent: the whole workflow' }),
  ),
  taskInput: Type.Optional(JsonObject),
  workflowInput: Type.Optional(JsonObject),
  correlationId: Type.Optional(Type.String()),
});
export type RerunWorkflowRequest = Static<typeof RerunWorkflowRequest>;

/** Conductor's SkipTaskRequest (`PUT /workflow/{workflowId}/skiptask/{taskReferenceName}`). */
export const SkipTaskRequest = Type.Object({ taskInput: Type.Optional(JsonObject), taskOutput: Type.Optional(JsonObject) });
export type SkipTaskRequest = Static<typeof SkipTaskRequest>;
