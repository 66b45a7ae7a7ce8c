import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Status enums as `as const` objects (house style) and as schemas built from them, one source each. */
export const TaskStatus = {
  SCHEDULED: 'SCHEDULED',
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  COMPLETED_WITH_ERRORS: 'COMPLETED_WITH_ERRORS',
  FAILED: 'FAILED',
  FAILED_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
  TIMED_OUT: 'TIMED_OUT',
  CANCELED: 'CANCELED',
  SKIPPED: 'SKIPPED',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** The statuses a worker may report for an attempt it holds. */
export const TaskResultStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  FAILED_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
} as const;
export type TaskResultStatus = (typeof TaskResultStatus)[keyof typeof TaskResultStatus];

export const WorkflowStatus = {
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  TERMINATED: 'TERMINATED',
  PAUSED: 'PAUSED',
} as const;
export type WorkflowStatus = (typeof WorkflowStatus)[keyof typeof WorkflowStatus];

/** A string enum schema from an `as const` object. */
export function enumOf<T extends Record<string, string>>(values: T, description?: string): TSchema {
  return Type.Unsafe<T[keyof T]>({ type: 'string', enum: Object.values(values), ...(description ? { description } : {}) });
}

export const TaskStatusSchema = enumOf(TaskStatus);
export const TaskResultStatusSchema = enumOf(TaskResultStatus);
export const WorkflowStatusSchema = enumOf(WorkflowStatus);

/** Any JSON object: inputs, outputs, variables (user data, keys of any name). */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());
export type JsonObject = Static<typeof JsonObject>;

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Epoch milliseconds. */
/** The largest time a Date can hold (ms since the epoch). */
export const MAX_EPOCH_MS = 8.64e15;
/** Conductor's int32 limit on counts and seconds. */
export const INT32_MAX = 2_147_483_647;
export const Millis = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, ...(description ? { description } : {}) });
