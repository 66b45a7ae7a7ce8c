import { Role } from '../domain/roles';

/**
 * What a route requires (api/access/route-policy.ts maps every route to one of these). `public`
 * needs nothing; `authenticated` needs any valid key; the rest are granted by roles below.
 */
export const Permission = {
  PUBLIC: 'public',
  AUTHENTICATED: 'authenticated',
  METADATA_READ: 'metadata:read',
  METADATA_WRITE: 'metadata:write',
  WORKFLOW_READ: 'workflow:read',
  WORKFLOW_START: 'workflow:start',
  WORKFLOW_CONTROL: 'workflow:control',
  TASK_READ: 'task:read',
  /** Claim tasks of a type (long poll); workers are limited to their key's task types. */
  TASK_POLL: 'task:poll',
  /** Report a claimed task's result, progress or log; workers are limited to their key's task types. */
  TASK_REPORT: 'task:report',
  /** Complete an engine-held step (WAIT, HUMAN) by reference name. */
  TASK_COMPLETE: 'task:complete',
  METRICS_READ: 'metrics:read',
  /** API keys; also what every route that is not in the route table requires (deny by default). */
  ADMIN: 'admin',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

const all = new Set<Permission>(Object.values(Permission));

export const rolePermissions: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  [Role.ADMIN]: all,
  [Role.OPERATOR]: new Set([
    Permission.PUBLIC,
    Permission.AUTHENTICATED,
    Permission.METADATA_READ,
    Permission.METADATA_WRITE,
    Permission.WORKFLOW_READ,
    Permission.WORKFLOW_START,
    Permission.WORKFLOW_CONTROL,
    Permission.TASK_READ,
    Permission.TASK_COMPLETE,
    Permission.METRICS_READ,
  ]),
  [Role.WORKER]: new Set([Permission.PUBLIC, Permission.AUTHENTICATED, Permission.TASK_POLL, Permission.TASK_REPORT]),
  [Role.VIEWER]: new Set([
    Permission.PUBLIC,
    Permission.AUTHENTICATED,
    Permission.METADATA_READ,
    Permission.WORKFLOW_READ,
    Permission.TASK_READ,
    Permission.METRICS_READ,
  ]),
};

/** Does a key limited to `allowed` task types ('*' all, 'prefix*' a prefix) cover `taskType`? */
export function coversTaskType(allowed: readonly string[], taskType: string): boolean {
  return allowed.some((p) => (p.endsWith('*') ? taskType.startsWith(p.slice(0, -1)) : p === taskType));
}
