import type { Request, RequestHandler, Response } from 'express';
import type { Counter } from 'prom-client';
import type { Authenticator, Principal } from '../../auth/authenticator';
import { maskPayloads } from '../../auth/mask';
import { Permission, coversTaskType, rolePermissions } from '../../auth/permissions';
import { Role } from '../../domain/roles';
import type { Engine } from '../../runtime/engine';
import { ForbiddenError } from '../../security-errors';
import { principalOf, routeOf, setPrincipal, setRoute, taskOfRequest } from './principal';
import { RouteMatcher, UNMATCHED_LABEL, type MatchedRoute } from './route-matcher';
import { routeTable, type TaskTypeScope } from './route-table';

export interface AccessOptions {
  /** Null when authentication is off (no bootstrap key configured). */
  authenticator: Authenticator | null;
  /**
   * Serving loopback without authentication: only requests addressed to a loopback name are
   * answered, so a web page cannot reach the engine through DNS rebinding (a name of its own
   * that resolves to 127.0.0.1).
   */
  loopbackOnly: boolean;
  httpRequests?: Counter<'route'>;
}

/** The operators' UI (static files): any GET outside the API, public, one metric label. */
const uiRoute: MatchedRoute = { rule: { method: 'GET', path: '/{*asset}', permission: Permission.PUBLIC }, params: {}, label: 'GET ui' };

/** Reads a cross-site navigation may make (a link to a workflow from a wiki page); nothing else crosses sites. */
const navigable = new Set<Permission>([
  Permission.PUBLIC,
  Permission.METADATA_READ,
  Permission.WORKFLOW_READ,
  Permission.TASK_READ,
  Permission.METRICS_READ,
]);

/**
 * The access layer, in two steps around the body parsers:
 *   before the body is read: find the route's rule (route-table.ts), count the request under its
 *     template, refuse cross-site browser requests and rebinding Host names, authenticate, and
 *     check the role's permission, so that an anonymous caller costs no body parsing;
 *   after: keys limited to task types (workers) may only touch tasks of those types.
 * Viewers get every JSON answer with payloads masked.
 */
export function accessControl(engine: Engine, options: AccessOptions): { beforeBody: RequestHandler; afterBody: RequestHandler } {
  const matcher = new RouteMatcher(routeTable);
  const { authenticator, httpRequests } = options;

  const beforeBody: RequestHandler = (req, res, next) => {
    const route = matcher.match(req.method, req.path) ?? (isUiRequest(req) ? uiRoute : null);
    httpRequests?.inc({ route: route?.label ?? UNMATCHED_LABEL });
    if (route) setRoute(req, route);
    const permission = route?.rule.permission ?? Permission.ADMIN;
    const browserProblem = crossSiteProblem(req, permission) ?? (options.loopbackOnly ? hostProblem(req) : null);
    if (browserProblem) return next(browserProblem);
    if (!authenticator || permission === Permission.PUBLIC) return next();
    authenticator
      .authenticate(req.headers)
      .then((principal) => {
        if (!rolePermissions[principal.role].has(permission)) {
          const what = route
            ? `${route.rule.method} ${route.rule.path}`
            : `${req.method} ${req.path.slice(0, 200)} (a route without an access rule: admin only)`;
          throw new ForbiddenError(`key '${principal.keyId}' (role ${principal.role}) may not call ${what}: it needs '${permission}'`);
        }
        setPrincipal(req, principal);
        if (principal.role === Role.VIEWER) maskJsonAnswers(res);
        next();
      })
      .catch(next);
  };

  const afterBody: RequestHandler = (req, _res, next) => {
    const principal = principalOf(req);
    const route = routeOf(req);
    const scope = route?.rule.taskType;
    if (!principal || !route || !scope || principal.role !== Role.WORKER) return next();
    taskTypeOf(engine, scope, req, route.params)
      .then((taskType) => {
        if (taskType !== null) requireTaskType(principal, taskType);
        next();
      })
      .catch(next);
  };

  return { beforeBody, afterBody };
}

function requireTaskType(p: Principal, taskType: string): void {
  if (coversTaskType(p.taskTypes, taskType)) return;
  throw new ForbiddenError(
    `worker key '${p.keyId}' may not work on task type '${taskType}' (its task types: ${p.taskTypes.join(', ') || 'none'})`,
    'TASK_TYPE_FORBIDDEN',
  );
}

/** The task type a request is about; null when the request names no (existing) task: the route answers that. */
async function taskTypeOf(engine: Engine, scope: TaskTypeScope, req: Request, params: Record<string, string>): Promise<string | null> {
  if (scope.from === 'param') return params[scope.name] ?? null;
  const taskId = scope.from === 'taskIdParam' ? params[scope.name] : (req.body as { taskId?: unknown } | undefined)?.taskId;
  if (typeof taskId !== 'string' || taskId === '') return null;
  return (await taskOfRequest(req, taskId, (id) => engine.store.getTask(id)))?.taskType ?? null;
}

function maskJsonAnswers(res: Response): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => json(maskPayloads(body));
}

function isUiRequest(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const p = req.path.toLowerCase();
  return !p.startsWith('/api') && p !== '/metrics' && p !== '/health';
}

/**
 * Browsers say where a request comes from (Sec-Fetch-Site); other clients send nothing. A page
 * of another site may only navigate to reads; anything it sends by script or form is refused,
 * whatever its content type, so an operator's open browser cannot be used against the engine.
 */
function crossSiteProblem(req: Request, permission: Permission): ForbiddenError | null {
  const site = req.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return null;
  const navigation = (req.method === 'GET' || req.method === 'HEAD') && req.headers['sec-fetch-mode'] === 'navigate';
  if (navigation && navigable.has(permission)) return null;
  return new ForbiddenError(`cross-site browser requests are refused (Sec-Fetch-Site: ${site})`, 'CROSS_SITE_REQUEST');
}

function hostProblem(req: Request): ForbiddenError | null {
  const host = req.headers.host;
  if (host === undefined || isLoopbackHost(host)) return null;
  return new ForbiddenError(
    `Host '${host.slice(0, 100)}' refused: without authentication Baton answers only requests addressed to localhost or a loopback address`,
    'HOST_NOT_ALLOWED',
  );
}

/** localhost, *.localhost, 127.0.0.0/8 and [::1], with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d*$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
