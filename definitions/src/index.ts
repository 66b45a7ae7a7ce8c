/**
 * @baton/definitions: the format of Baton's workflow and task definitions (Conductor's), how to
 * parse and validate them, and how `${...}` expressions in them resolve. Pure: no I/O.
 */
export type { Problem, Validation } from './problem';
export { parseDocument } from './parse/document';
export { validateTaskDef, validateTaskDefs } from './validate/task-def';
export { validateWorkflowDef } from './validate/workflow-def';
export { unregisteredTaskDefs, type UnregisteredTaskDef } from './validate/unregistered';
export { taskDefSchema } from './schema/task-def.schema';
export { workflowDefSchema } from './schema/workflow-def.schema';
export { INT32_MAX } from './schema/bounds';
export { resolveParameters, type ExpressionContext } from './expressions/resolve';
export { findReferences, type Reference } from './expressions/references';
export { TaskType, taskTypes, isTaskType, TaskTimeoutPolicy, WorkflowTimeoutPolicy, RetryLogic, EvaluatorType } from './task-type';
export type {
  SchemaDef,
  TaskDef,
  WorkflowDef,
  WorkflowTask,
  SubWorkflowParams,
  ValidateWorkflowOptions,
  FlowControl,
  PayloadCodecSpec,
} from './types';
export { ENCODED_MARKER, EncodedReadError, isEncodedValue, encodedFieldsIn } from './expressions/encoded';
export { parseDuration } from './duration';
export { eventNameOfSink } from './validate/event-rules';
export { checkPayload, compilePayloadSchema, enforcedSchema, usePatternEngine } from './schema/payload-schema';
export type { RegExpEngine } from 'ajv/dist/types';
export { schemaDefSchema } from './schema/schema-def.schema';
