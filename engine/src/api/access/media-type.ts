import type { RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../../security-errors';

/** The body types Baton reads: JSON everywhere, YAML wherever JSON is accepted. */
export const acceptedMediaTypes = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'] as const;
export const yamlMediaTypes = acceptedMediaTypes.filter((t) => t !== 'application/json');

const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one route that also takes plain text: a task's log line (`POST /api/tasks/{taskId}/log`),
 * which Conductor's clients send as a JSON string and people send as text. Appending a log line
 * is all a cross-site text post could do there, and the cross-site guard refuses browsers anyway.
 */
const textRoutes = [/^\/api\/tasks\/[^/]+\/log$/];

/**
 * Write requests carry JSON or YAML or nothing. Any other declared type is 415, even with an
 * empty body, and so is a body without a type (a body parser would drop it silently). This is
 * also what keeps a web page from driving Baton through an operator's browser: a form or a
 * `text/plain` post is a "simple" cross-site request that needs no CORS preflight, a JSON one is not.
 */
export function requireJsonOrYaml(): RequestHandler {
  return (req, _res, next) => {
    if (!bodyMethods.has(req.method)) return next();
    const declared = req.headers['content-type'];
    if (declared !== undefined) {
      const type = declared.split(';', 1)[0]?.trim().toLowerCase() ?? '';
      if ((acceptedMediaTypes as readonly string[]).includes(type)) return next();
      if (type === 'text/plain' && req.method === 'POST' && textRoutes.some((r) => r.test(req.path))) return next();
      return next(
        new UnsupportedMediaTypeError(
          `Content-Type '${declared.slice(0, 100)}' is not accepted: send ${acceptedMediaTypes.join(', ')}`,
          acceptedMediaTypes,
        ),
      );
    }
    if (hasBody(req.headers)) {
      return next(
        new UnsupportedMediaTypeError(`a request body needs a Content-Type: send ${acceptedMediaTypes.join(', ')}`, acceptedMediaTypes),
      );
    }
    next();
  };
}

function hasBody(h: Record<string, string | string[] | undefined>): boolean {
  if (h['transfer-encoding'] !== undefined) return true;
  const length = h['content-length'];
  return typeof length === 'string' && length.trim() !== '0';
}
