import { EvaluatorType, TaskType, WorkflowTimeoutPolicy } from '../task-type';
import { boundedInt } from './bounds';
import { nameSchema, taskDefSchema } from './task-def.schema';

const strings = { type: 'array', items: { type: 'string' } } as const;
const taskList = { type: 'array', items: { $ref: '#/$defs/workflowTask' } } as const;
/** A duration: "5s", "1m 30s", "2 days", or a number of seconds (checked in code, where the message can say why). */
const duration = { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] } as const;
/** A key template ("${workflow.input.customerId}"), resolved per run from the workflow's input. */
const flowKey = { type: 'string', minLength: 1 } as const;

/**
 * JSON Schema (draft 2020-12) of a workflow definition, Conductor's WorkflowDef. Nested step lists
 * (decisionCases, defaultCase, forkTasks, loopOver) recurse through $defs/workflowTask, so a
 * problem deep in a branch is reported at its full pointer. Rules that depend on a step's type
 * (SWITCH needs an expression...) are checked in code, where the messages can say why.
 */
export const workflowDefSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:baton:schema:workflow-def',
  title: 'WorkflowDef',
  type: 'object',
  required: ['name', 'tasks'],
  properties: {
    name: nameSchema,
    description: { type: 'string' },
    version: boundedInt(1, 1),
    tasks: { ...taskList, minItems: 1 },
    inputParameters: strings,
    outputParameters: { type: 'object' },
    failureWorkflow: { type: 'string' },
    // Conductor accepts only schema version 2 (version 1 was its pre-2.0 format).
    schemaVersion: { type: 'integer', const: 2, default: 2 },
    restartable: { type: 'boolean', default: true },
    workflowStatusListenerEnabled: { type: 'boolean' },
    workflowStatusListenerSink: { type: 'string' },
    // Baton: where status changes go (docs/alerts.md).
    statusListener: {
      type: 'object',
      additionalProperties: false,
      properties: {
        webhooks: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' } },
        events: { type: 'boolean' },
      },
    },
    ownerEmail: { type: 'string', format: 'email' },
    timeoutPolicy: {
      type: 'string',
      enum: Object.values(WorkflowTimeoutPolicy),
      default: WorkflowTimeoutPolicy.ALERT_ONLY,
    },
    timeoutSeconds: boundedInt(0, 0),
    variables: { type: 'object' },
    inputTemplate: { type: 'object' },
    // Baton: read-only views of a run, `GET /api/workflow/{id}/query/{name}` (jq over its state).
    queries: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    // Baton: payloads encoded by the SDKs' codecs but these top-level fields (docs/payloads.md).
    payloadCodec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        clearFields: {
          type: 'array',
          maxItems: 100,
          uniqueItems: true,
          items: { type: 'string', minLength: 1, maxLength: 200 },
          default: [],
        },
      },
    },
    // Baton: per-key flow control of runs (docs/flow-control.md).
    flowControl: {
      type: 'object',
      additionalProperties: false,
      properties: {
        concurrency: {
          type: 'array',
          minItems: 1,
          maxItems: 4,
          items: {
            type: 'object',
            required: ['key', 'limit'],
            additionalProperties: false,
            properties: { key: flowKey, limit: boundedInt(1, undefined, 100_000) },
          },
        },
        debounce: {
          type: 'object',
          required: ['key', 'period'],
          additionalProperties: false,
          properties: { key: flowKey, period: duration },
        },
        rateLimit: {
          type: 'object',
          required: ['key', 'limit', 'period'],
          additionalProperties: false,
          properties: { key: flowKey, limit: boundedInt(1, undefined, 1_000_000), period: duration },
        },
      },
    },
  },
  $defs: {
    workflowTask: {
      type: 'object',
      required: ['name', 'taskReferenceName'],
      properties: {
        name: nameSchema,
        taskReferenceName: nameSchema,
        type: { type: 'string', enum: Object.values(TaskType), default: TaskType.SIMPLE },
        description: { type: 'string' },
        inputParameters: { type: 'object' },
        optional: { type: 'boolean' },
        retryCount: boundedInt(0),
        startDelay: boundedInt(0),
        asyncComplete: { type: 'boolean' },
        taskDefinition: { $ref: taskDefSchema.$id },
        decisionCases: { type: 'object', additionalProperties: taskList },
        defaultCase: taskList,
        caseValueParam: { type: 'string' },
        caseExpression: { type: 'string' },
        evaluatorType: { type: 'string', enum: Object.values(EvaluatorType) },
        expression: { type: 'string' },
        forkTasks: { type: 'array', items: taskList },
        joinOn: strings,
        defaultExclusiveJoinTask: strings,
        loopCondition: { type: 'string' },
        loopOver: taskList,
        items: { type: 'string' },
        dynamicForkTasksParam: { type: 'string' },
        dynamicForkTasksInputParamName: { type: 'string' },
        dynamicTaskNameParam: { type: 'string' },
        subWorkflowParam: { $ref: '#/$defs/subWorkflowParams' },
        sink: { type: 'string' },
        scriptExpression: { type: 'string' },
      },
    },
    subWorkflowParams: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        version: boundedInt(1),
        workflowDefinition: { $ref: '#' },
        taskToDomain: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
} as const;
