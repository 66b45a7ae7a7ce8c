import { componentSchemas, ref } from './components';
import { routeDocs, type RouteDoc } from './routes';

/** The version the document states; the engine's package version. */
const API_VERSION = '0.1.0';

/**
 * Baton's OpenAPI 3.1 document, built from the route table (routes.ts) and the schemas that
 * validate requests (components.ts). Deterministic: the same code always yields the same text,
 * which is checked in as docs/openapi.json (`npm run openapi` writes it; a test compares).
 */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routeDocs) (paths[r.path] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baton',
      version: API_VERSION,
      description:
        "Baton's HTTP API: Conductor's REST API (paths under /api, field names and models Conductor's clients read) " +
        "plus Baton's own operations. Errors are RFC 9457 problem+json that also carry Conductor's `message` and " +
        '`validationErrors`. docs/conductor-compatibility.md lists every Conductor route and what Baton does with it.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'metadata', description: 'task and workflow definitions' },
      { name: 'workflow', description: 'workflow executions' },
      { name: 'workflow-bulk', description: 'operations on up to 1000 workflows' },
      { name: 'search', description: "Conductor's query language over the store's indexes" },
      { name: 'task', description: 'workers: poll, report, logs, queues' },
      { name: 'event', description: 'events and event handlers (docs/events.md)' },
      { name: 'scheduler', description: 'schedules: cron-driven starts (docs/events.md)' },
      { name: 'listeners', description: 'status listeners (webhooks, outbox deliveries) and alerts (docs/alerts.md)' },
      { name: 'system', description: 'health, metrics, this document' },
    ],
    paths,
    components: { schemas: componentSchemas() },
  };
}

function operation(r: RouteDoc): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [code, [description, schema]] of Object.entries(r.ok)) {
    responses[code] =
      schema === undefined
        ? { description }
        : schema === 'text'
          ? { description, content: { 'text/plain': { schema: { type: 'string' } } }, ...(code === '200' ? linksOf(r) : {}) }
          : { description, content: { 'application/json': { schema } } };
  }
  const problem = { content: { 'application/problem+json': { schema: ref('Problem') } } };
  if (r.body || r.params?.length)
    responses['400'] = { description: 'invalid request: `errors` (and `validationErrors`) name each bad field', ...problem };
  if (r.params?.some((p) => p.in === 'path')) responses['404'] = { description: 'not found', ...problem };
  responses.default = { description: 'error (409 conflict, 503 store unavailable and retryable...)', ...problem };
  return {
    tags: [r.tag],
    summary: r.summary,
    operationId: operationId(r),
    ...(r.conductor ? {} : { description: "Baton's own operation (not in Conductor)." }),
    ...(r.params?.length
      ? {
          parameters: r.params.map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required ?? p.in === 'path',
            ...(p.description ? { description: p.description } : {}),
            schema: { type: p.type, ...(p.default !== undefined ? { default: p.default } : {}) },
          })),
        }
      : {}),
    ...(r.body ? { requestBody: requestBody(r.body) } : {}),
    responses,
  };
}

/** OpenAPI links from an operation answering an id to every operation with that path parameter (RouteDoc.returnsId). */
function linksOf(r: RouteDoc): Record<string, unknown> {
  const id = r.returnsId;
  if (!id) return {};
  const links: Record<string, unknown> = {};
  for (const target of routeDocs) {
    if (!target.params?.some((p) => p.in === 'path' && p.name === id)) continue;
    links[operationId(target)] = { operationId: operationId(target), parameters: { [id]: '$response.body' } };
  }
  return { links };
}

function requestBody(b: NonNullable<RouteDoc['body']>): Record<string, unknown> {
  const example = b.example !== undefined ? { example: b.example } : {};
  const content: Record<string, unknown> = { 'application/json': { schema: b.schema, ...example } };
  if (b.yaml) content['application/yaml'] = { schema: b.schema, ...example };
  if (b.text) content['text/plain'] = { schema: { type: 'string' } };
  return { required: true, ...(b.description ? { description: b.description } : {}), content };
}

/** A stable id from method and path: `get /api/workflow/{workflowId}/status` -> getWorkflowByWorkflowIdStatus. */
function operationId(r: RouteDoc): string {
  const words = r.path
    .replace(/^\/api/, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith('{') ? `By${cap(w.slice(1, -1))}` : cap(w)));
  return r.method + (words.join('') || 'Root');
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
