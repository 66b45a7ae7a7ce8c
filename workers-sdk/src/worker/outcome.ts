// Maps what a handler did (returned a value, returned inProgress(...), threw) to the result the
// worker reports. Kept free of I/O so the mapping is unit-tested as a table.
import { TerminalError } from '../errors';
import { isJsonObject } from '../protocol/parse';
import type { JsonObject, Task, TaskResult } from '../protocol/types';
import { TaskResultStatus } from '../protocol/types';

export interface InProgressOptions {
  /** When the server should hand the task out again. */
  callbackAfterSeconds: number;
  /** Output recorded on the task so far. */
  output?: JsonObject;
}

/** Returned by a handler (via `inProgress()`) to report IN_PROGRESS and be called again later. */
export class InProgressOutcome {
  readonly callbackAfterSeconds: number;
  readonly output: JsonObject;

  constructor(options: InProgressOptions) {
    const seconds = options.callbackAfterSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`callbackAfterSeconds must be a non-negative number, got ${String(seconds)}`);
    }
    // The protocol field is whole seconds; rounding up never calls back earlier than asked.
    this.callbackAfterSeconds = Math.ceil(seconds);
    this.output = options.output ?? {};
  }
}

export function inProgress(options: InProgressOptions): InProgressOutcome {
  return new InProgressOutcome(options);
}

export interface TaskOutcome {
  readonly status: TaskResultStatus;
  readonly outputData: JsonObject;
  readonly reasonForIncompletion?: string;
  readonly callbackAfterSeconds?: number;
  /** The thrown error, for the report's logs. */
  readonly error?: unknown;
}

export function outcomeOfReturn(value: unknown): TaskOutcome {
  if (value instanceof InProgressOutcome) {
    return {
      status: TaskResultStatus.IN_PROGRESS,
      outputData: value.output,
      callbackAfterSeconds: value.callbackAfterSeconds,
    };
  }
  return { status: TaskResultStatus.COMPLETED, outputData: toOutputData(value) };
}

export function outcomeOfError(error: unknown): TaskOutcome {
  if (error instanceof TerminalError) {
    return {
      status: TaskResultStatus.FAILED_WITH_TERMINAL_ERROR,
      outputData: error.output ?? {},
      reasonForIncompletion: error.message,
      error,
    };
  }
  return { status: TaskResultStatus.FAILED, outputData: {}, reasonForIncompletion: reasonOf(error), error };
}

/** outputData is a JSON object on the wire; anything else a handler returns is wrapped. */
function toOutputData(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (isJsonObject(value)) {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return value;
  }
  return { result: value };
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return `non-error thrown: ${String(error)}`;
}

// A stack trace is a few KB; this keeps a pathological one (deep recursion) out of the report.
const MAX_LOG_CHARS = 8_000;

export function toTaskResult(task: Task, workerId: string, outcome: TaskOutcome, now: number): TaskResult {
  let result: TaskResult = {
    taskId: task.taskId,
    workflowInstanceId: task.workflowInstanceId,
    workerId,
    status: outcome.status,
    outputData: outcome.outputData,
    ...(outcome.reasonForIncompletion !== undefined && { reasonForIncompletion: outcome.reasonForIncompletion }),
    ...(outcome.callbackAfterSeconds !== undefined && { callbackAfterSeconds: outcome.callbackAfterSeconds }),
    ...attemptTokenField(task),
  };
  if (outcome.error instanceof Error && outcome.error.stack !== undefined) {
    result.logs = [{ log: outcome.error.stack.slice(0, MAX_LOG_CHARS), taskId: task.taskId, createdTime: now }];
  }
  // Found now rather than as a failed request later, so the task fails with a reason a person can act on.
  try {
    JSON.stringify(result);
  } catch (error) {
    const reason = `the handler's output cannot be sent as JSON: ${error instanceof Error ? error.message : String(error)}`;
    result = { ...result, status: TaskResultStatus.FAILED, outputData: {}, reasonForIncompletion: reason };
    delete result.callbackAfterSeconds;
    delete result.logs;
  }
  return result;
}

/** Conductor servers send no token; Baton's reports must carry it. */
export function attemptTokenField(task: Task): { attemptToken?: string } {
  return task.attemptToken === '' ? {} : { attemptToken: task.attemptToken };
}
