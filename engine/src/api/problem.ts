import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { BatonError, type FieldProblem } from '../errors';

/**
 * The one place where errors become HTTP answers: RFC 9457 problem+json with a stable `code`,
 * `retryable`, and for validation failures `errors` with a JSON pointer per problem. Conductor's
 * clients read other fields of the same body (its ErrorResponse): `message` (Java exception
 * messages, JS SDK errors) and `validationErrors: [{path, message}]`; both are filled from the
 * same facts (`@baton/protocol`'s Problem schema).
 * 4xx are logged at warn, 5xx at error. Anything unknown is a 500 without internals leaking.
 */
export function sendProblem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  extra: { retryable?: boolean; errors?: FieldProblem[]; instance?: string; fields?: Record<string, unknown> } = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:baton:problem:${code.toLowerCase().replace(/_/g, '-')}`,
        title: titles[status] ?? 'Error',
        status,
        detail,
        code,
        retryable: extra.retryable ?? false,
        ...(extra.errors?.length ? { errors: extra.errors } : {}),
        ...(extra.instance ? { instance: extra.instance } : {}),
        ...extra.fields,
        message: detail,
        ...(extra.errors?.length ? { validationErrors: extra.errors.map((e) => ({ path: e.pointer, message: e.message })) } : {}),
      }),
    );
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Content',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    void _next;
    const instance = req.originalUrl;
    if (err instanceof BatonError) {
      const level = err.status >= 500 ? 'error' : 'warn';
      log[level]({ code: err.code, path: instance, err: err.status >= 500 ? err : undefined }, err.message);
      if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="baton"');
      sendProblem(res, err.status, err.code, err.message, {
        retryable: err.retryable,
        errors: err.errors,
        instance,
        ...(err.problemFields ? { fields: err.problemFields } : {}),
      });
      return;
    }
    // body-parser errors carry a status and a type (entity.parse.failed, entity.too.large...).
    const e = err as { status?: number; type?: string; message?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const code = e.type === 'entity.parse.failed' ? 'MALFORMED_BODY' : e.type === 'entity.too.large' ? 'BODY_TOO_LARGE' : 'BAD_REQUEST';
      log.warn({ code, path: instance }, e.message ?? 'bad request');
      const detail =
        e.type === 'entity.parse.failed'
          ? `request body is not valid JSON: ${e.message ?? ''}`
          : e.type === 'entity.too.large'
            ? `request body is larger than the engine accepts (${(e as { limit?: number }).limit ?? '?'} bytes: the payload limit BATON_MAX_PAYLOAD_BYTES plus room for the request around it)`
            : (e.message ?? 'bad request');
      sendProblem(res, e.status, code, detail, {
        errors: e.type === 'entity.parse.failed' ? [{ pointer: '', message: 'not valid JSON' }] : [],
        instance,
      });
      return;
    }
    log.error({ err, path: instance }, 'unhandled error');
    sendProblem(res, 500, 'INTERNAL', 'internal error; see the engine log', { instance });
  };
}
