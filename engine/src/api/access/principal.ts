import type { Request } from 'express';
import type { Principal } from '../../auth/authenticator';
import type { TaskRecord } from '../../domain/records';
import type { MatchedRoute } from './route-matcher';

/** What the access layer learned about a request, for the handlers after it (typed, unlike res.locals). */
const principals = new WeakMap<Request, Principal>();
const routes = new WeakMap<Request, MatchedRoute>();
const tasks = new WeakMap<Request, TaskRecord | null>();

export function setPrincipal(req: Request, p: Principal): void {
  principals.set(req, p);
}

/** The authenticated key of the request; undefined when authentication is off (or the route is public). */
export function principalOf(req: Request): Principal | undefined {
  return principals.get(req);
}

export function setRoute(req: Request, r: MatchedRoute): void {
  routes.set(req, r);
}

export function routeOf(req: Request): MatchedRoute | undefined {
  return routes.get(req);
}

/** The task a request names, read once by whichever step needs it first (a worker's type check, the report route). */
export async function taskOfRequest(
  req: Request,
  taskId: string,
  read: (id: string) => Promise<TaskRecord | null>,
): Promise<TaskRecord | null> {
  const known = tasks.get(req);
  if (known !== undefined && (known === null || known.taskId === taskId)) return known;
  const t = await read(taskId);
  tasks.set(req, t);
  return t;
}
