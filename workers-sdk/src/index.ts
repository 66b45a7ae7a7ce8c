export { BatonWorker, WorkerState } from './worker/baton-worker';
export type { TaskContext, TaskHandler, TaskRegistration } from './worker/task-context';
export { inProgress, InProgressOutcome } from './worker/outcome';
export { SchemaMismatchError, taskDefOf } from './worker/typed-task';
export type { SchemaDef, TypedTaskRegistration } from './worker/typed-task';
// The schema library typed tasks are declared with, re-exported so a worker uses the SDK's copy.
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
export type { InProgressOptions } from './worker/outcome';

export { BatonClient } from './client/baton-client';
export type { GetWorkflowOptions, StartWorkflowOptions, WaitForWorkflowOptions } from './client/baton-client';

export type { BatonClientOptions, BatonWorkerOptions, RetryOptions } from './options';
export type { LogFn, Logger } from './logger';
export { silentLogger } from './logger';

export {
  BatonError,
  ConfigError,
  ErrorCode,
  HttpError,
  IllegalStateError,
  InvalidResponseError,
  LeaseLostError,
  NetworkError,
  RequestAbortedError,
  RequestTimeoutError,
  TerminalError,
  WaitTimeoutError,
} from './errors';

export { TaskResultStatus, TaskStatus, WorkflowStatus, isTerminalWorkflowStatus } from './protocol/types';
export type {
  JsonObject,
  ProblemDetails,
  ProblemFieldError,
  StartWorkflowRequest,
  Task,
  TaskDefLike,
  TaskExecLog,
  TaskResult,
  Workflow,
  WorkflowDefLike,
  WorkflowTaskLike,
} from './protocol/types';

export { AesGcmCodec, AES_GCM_CODEC } from './codec/aes-gcm';
export type { AesGcmCodecOptions } from './codec/aes-gcm';
export { createCodecServer } from './codec/codec-server';
export type { CodecServerOptions } from './codec/codec-server';
export { ENCODED_MARKER, containsEncoded, isEncodedValue } from './codec/envelope';
export type { EncodedValue } from './codec/envelope';
export { CodecError, decodePayload, encodePayload } from './codec/payload-codec';
export type { ClearFields, PayloadCodec } from './codec/payload-codec';
