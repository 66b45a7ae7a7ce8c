import { BatonError } from './errors';

/**
 * Errors of the security layer (authentication, authorization, media types, engine queues), with
 * stable codes like every BatonError; api/problem.ts maps them to HTTP. Kept apart from errors.ts
 * so that the access layer is one place to read.
 */

/** Why a request is not authenticated; `error` is what Conductor's SDKs look for to refresh a token. */
export type TokenProblem = 'MISSING_TOKEN' | 'INVALID_TOKEN' | 'EXPIRED_TOKEN' | 'INVALID_CREDENTIALS';

/**
 * 401. Conductor's and Orkes' SDKs read `error` from the body: EXPIRED_TOKEN and INVALID_TOKEN
 * make them fetch a new token and retry the request once (docs/security.md).
 */
export class UnauthenticatedError extends BatonError {
  constructor(
    readonly problem: TokenProblem,
    message: string,
  ) {
    super('UNAUTHENTICATED', message, 401);
    this.problemFields = { error: problem };
  }
}

/** 403: authenticated, but the key's role (or its task types) does not allow this request. */
export class ForbiddenError extends BatonError {
  constructor(message: string, code = 'FORBIDDEN') {
    super(code, message, 403);
  }
}

/**
 * 403: the queue of a task type the engine runs itself (HTTP, JSON_JQ_TRANSFORM) is not open to
 * workers; polling it or reporting one of its tasks over REST would hand out another workflow's
 * request, credentials included, or let a forged result complete it.
 */
export class EngineQueueError extends BatonError {
  constructor(message: string) {
    super('ENGINE_QUEUE', message, 403);
  }
}

/** 415: write endpoints take JSON or YAML bodies only (this also stops cross-site form posts). */
export class UnsupportedMediaTypeError extends BatonError {
  constructor(message: string, accepted: readonly string[]) {
    super('UNSUPPORTED_MEDIA_TYPE', message, 415);
    this.problemFields = { accepted };
  }
}
