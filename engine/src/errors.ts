/** Errors with a stable code, mapped to HTTP status in one place (api/problem.ts). */
export interface FieldProblem {
  pointer: string;
  message: string;
}

export class BatonError extends Error {
  /** Extra members of the problem+json answer (e.g. `error` for Conductor's SDKs on a 401). */
  problemFields?: Record<string, unknown>;
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryable = false,
    readonly errors: FieldProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends BatonError {
  constructor(message: string, errors: FieldProblem[] = []) {
    super('VALIDATION_FAILED', message, 400, false, errors);
  }
}

export class NotFoundError extends BatonError {
  constructor(message: string) {
    super('NOT_FOUND', message, 404);
  }
}

/** A report for an attempt that no longer holds the claim (lease lapsed, superseded, finished). */
export class StaleAttemptError extends BatonError {
  constructor(message: string) {
    super('STALE_ATTEMPT', message, 409);
  }
}

export class ConflictError extends BatonError {
  constructor(message: string) {
    super('CONFLICT', message, 409);
  }
}

/** The database could not be reached or refused the operation for a transient reason. */
export class StoreUnavailableError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('STORE_UNAVAILABLE', message, 503, true, [], { cause });
  }
}

/** A request the engine's configured limits refuse (workflow depth, definition size...): the limit is named. */
export class LimitError extends BatonError {
  constructor(message: string, errors: FieldProblem[] = []) {
    super('LIMIT_EXCEEDED', message, 422, false, errors);
  }
}

/** A payload over BATON_MAX_PAYLOAD_BYTES. */
export class PayloadTooLargeError extends BatonError {
  constructor(message: string, errors: FieldProblem[] = []) {
    super('PAYLOAD_TOO_LARGE', message, 413, false, errors);
  }
}

/** A workflow query (`GET /api/workflow/{id}/query/{name}`) whose jq expression failed on the run's state. */
export class QueryFailedError extends BatonError {
  constructor(message: string) {
    super('QUERY_FAILED', message, 422);
  }
}
