import { RetryLogic, TaskTimeoutPolicy } from '../task-type';
import { boundedInt as int } from './bounds';
import { schemaDefSchema } from './schema-def.schema';

/** Names must contain something other than whitespace: they appear in URLs and queue names. */
export const nameSchema = { type: 'string', minLength: 1, pattern: '\\S' } as const;

/**
 * JSON Schema (draft 2020-12) of a task definition, Conductor's TaskDef. Unknown properties are
 * allowed because Conductor clients send server-managed fields (createTime, ownerApp...) back.
 * Defaults are Conductor's, except where Baton documents otherwise in the README. Every number
 * is bounded (bounds.ts): counts and seconds at Conductor's int32 maximum.
 */
export const taskDefSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:baton:schema:task-def',
  title: 'TaskDef',
  type: 'object',
  required: ['name'],
  properties: {
    name: nameSchema,
    description: { type: 'string' },
    retryCount: int(0, 3),
    timeoutSeconds: int(0, 0),
    totalTimeoutSeconds: int(0, 0),
    inputKeys: { type: 'array', items: { type: 'string' } },
    outputKeys: { type: 'array', items: { type: 'string' } },
    timeoutPolicy: { type: 'string', enum: Object.values(TaskTimeoutPolicy), default: TaskTimeoutPolicy.TIME_OUT_WF },
    retryLogic: { type: 'string', enum: Object.values(RetryLogic), default: RetryLogic.FIXED },
    retryDelaySeconds: int(0, 60),
    backoffScaleFactor: int(1, 1),
    maxRetryDelaySeconds: int(0, 0),
    backoffJitterMs: int(0, 0),
    responseTimeoutSeconds: int(1, 3600),
    pollTimeoutSeconds: int(0, 0),
    concurrentExecLimit: int(0, 0),
    rateLimitPerFrequency: int(0, 0),
    rateLimitFrequencyInSeconds: int(1, 1),
    inputTemplate: { type: 'object' },
    ownerEmail: { type: 'string', format: 'email' },
    executionNameSpace: { type: 'string' },
    isolationGroupId: { type: 'string' },
    taskStatusListenerEnabled: { type: 'boolean' },
    inputSchema: schemaDefSchema,
    outputSchema: schemaDefSchema,
    enforceSchema: { type: 'boolean' },
  },
} as const;

/** Conductor's responseTimeoutSeconds default, used when a definition gives none. */
export const DEFAULT_RESPONSE_TIMEOUT_SECONDS = 3600;
