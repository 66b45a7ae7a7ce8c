import type { ProblemDetails } from './protocol/types';

export const ErrorCode = {
  HTTP_ERROR: 'HTTP_ERROR',
  NETWORK_ERROR: 'NETWORK_ERROR',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  REQUEST_ABORTED: 'REQUEST_ABORTED',
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  ILLEGAL_STATE: 'ILLEGAL_STATE',
  LEASE_LOST: 'LEASE_LOST',
  WAIT_TIMEOUT: 'WAIT_TIMEOUT',
  TERMINAL_TASK_ERROR: 'TERMINAL_TASK_ERROR',
  CODEC_ERROR: 'CODEC_ERROR',
  SCHEMA_MISMATCH: 'SCHEMA_MISMATCH',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error the SDK throws: `code` is stable for programs, `retryable` drives retries. */
export abstract class BatonError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered with a non-2xx status. */
export class HttpError extends BatonError {
  readonly code = ErrorCode.HTTP_ERROR;
  readonly retryable: boolean;

  constructor(
    readonly method: string,
    /** Path below the server URL, without the query. */
    readonly path: string,
    readonly status: number,
    /** The parsed problem+json (or Conductor-style JSON error) body, when there was one. */
    readonly problem: ProblemDetails | undefined,
    /** The raw body, kept for bodies that are not JSON (proxies, load balancers). */
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}${describeProblem(problem, body)}`);
    // 429 and 5xx are transient unless the server says otherwise; any other 4xx means the request
    // itself is wrong and sending it again cannot help.
    this.retryable = (status === 429 || status >= 500) && problem?.retryable !== false;
  }

  /** 409 (superseded or expired attempt) and 404 (task gone) both mean the claim is no longer ours. */
  get isStaleAttempt(): boolean {
    return this.status === 409 || this.status === 404;
  }
}

function describeProblem(problem: ProblemDetails | undefined, body: string): string {
  if (problem === undefined) return body.length > 0 ? `: ${body.slice(0, 200)}` : '';
  // Conductor's own error bodies carry `message` instead of `detail`.
  const message = typeof problem['message'] === 'string' ? problem['message'] : undefined;
  const parts = [problem.title, problem.detail ?? message].filter((part) => part !== undefined);
  return parts.length > 0 ? `: ${parts.join(' - ')}` : '';
}

/** The request did not get an HTTP answer (connection refused or reset, DNS failure...). */
export class NetworkError extends BatonError {
  readonly code = ErrorCode.NETWORK_ERROR;
  readonly retryable = true;

  constructor(
    message: string,
    /** False when the failure happened before any byte was sent, so the server cannot have acted. */
    readonly requestMayHaveBeenSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class RequestTimeoutError extends BatonError {
  readonly code = ErrorCode.REQUEST_TIMEOUT;
  readonly retryable = true;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path} got no answer within ${timeoutMs} ms`);
  }
}

/** The caller aborted the request (for a worker: stop() ended a long poll). */
export class RequestAbortedError extends BatonError {
  readonly code = ErrorCode.REQUEST_ABORTED;
  readonly retryable = false;
}

/** The server answered 2xx with a body the SDK cannot understand. */
export class InvalidResponseError extends BatonError {
  readonly code = ErrorCode.INVALID_RESPONSE;
  readonly retryable = false;
}

export class ConfigError extends BatonError {
  readonly code = ErrorCode.INVALID_OPTIONS;
  readonly retryable = false;
}

export class IllegalStateError extends BatonError {
  readonly code = ErrorCode.ILLEGAL_STATE;
  readonly retryable = false;
}

/** The server no longer accepts reports for this attempt: its lease expired or it was superseded. */
export class LeaseLostError extends BatonError {
  readonly code = ErrorCode.LEASE_LOST;
  readonly retryable = false;

  constructor(
    readonly taskId: string,
    options?: { cause?: unknown },
  ) {
    super(`the lease on task ${taskId} was lost; its result will be dropped`, options);
  }
}

export class WaitTimeoutError extends BatonError {
  readonly code = ErrorCode.WAIT_TIMEOUT;
  readonly retryable = false;

  constructor(
    readonly workflowId: string,
    readonly lastStatus: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(`workflow ${workflowId} did not finish within ${timeoutMs} ms (last status ${lastStatus ?? 'unknown'})`);
  }
}

/**
 * Thrown by a task handler to fail the task for good: the server reports
 * FAILED_WITH_TERMINAL_ERROR and does not retry it, whatever the task definition's retryCount.
 */
export class TerminalError extends BatonError {
  readonly code = ErrorCode.TERMINAL_TASK_ERROR;
  readonly retryable = false;
  /** Optional outputData to report along with the failure. */
  readonly output: Record<string, unknown> | undefined;

  constructor(message: string, options?: { cause?: unknown; output?: Record<string, unknown> }) {
    super(message, options);
    this.output = options?.output;
  }
}
