import { Permission } from '../../auth/permissions';

/**
 * Where the task type of a request comes from, for keys limited to some task types (workers):
 *   param         a path parameter names the type (the polls);
 *   taskIdParam   a path parameter names a task, whose type counts (a task's log);
 *   taskIdInBody  body.taskId names the task (TaskResult reports).
 */
export type TaskTypeScope = { from: 'param'; name: string } | { from: 'taskIdParam'; name: string } | { from: 'taskIdInBody' };

export interface RouteRule {
  /** GET rules also cover HEAD. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** An Express (path-to-regexp 8) template: ':name' for a segment, '*rest' for the rest. */
  path: string;
  permission: Permission;
  taskType?: TaskTypeScope;
}

const { PUBLIC, AUTHENTICATED, METADATA_READ, METADATA_WRITE, WORKFLOW_READ, WORKFLOW_START, WORKFLOW_CONTROL } = Permission;
const { TASK_READ, TASK_POLL, TASK_REPORT, TASK_COMPLETE, METRICS_READ, ADMIN } = Permission;
const taskTypeParam: TaskTypeScope = { from: 'param', name: 'taskType' };

/**
 * The access policy of the HTTP surface: every route, by method and template, with the permission
 * it needs (roles grant permissions: auth/permissions.ts). The first rule that matches counts, so
 * a literal segment goes before a parameter in the same place. A request that matches no rule
 * needs ADMIN: a new route is closed until it gets its line here. The same templates label the
 * `baton_http_requests_total` metric, so its series are bounded by this table.
 *
 * Some rules name Conductor routes Baton may not serve (yet): they decide who may reach them,
 * and the router then answers 404 as for any unknown path. docs/security.md lists the table.
 */
export const routeTable: readonly RouteRule[] = [
  // -- open to anyone: health, obtaining a token, the API description
  { method: 'GET', path: '/health', permission: PUBLIC },
  { method: 'GET', path: '/api/health', permission: PUBLIC },
  { method: 'POST', path: '/api/token', permission: PUBLIC },
  { method: 'GET', path: '/api-docs', permission: PUBLIC },
  { method: 'GET', path: '/api-docs/*rest', permission: PUBLIC },
  { method: 'GET', path: '/api/token/userInfo', permission: AUTHENTICATED },
  { method: 'GET', path: '/metrics', permission: METRICS_READ },

  // -- API keys (Baton)
  { method: 'GET', path: '/api/admin/keys', permission: ADMIN },
  { method: 'POST', path: '/api/admin/keys', permission: ADMIN },
  { method: 'GET', path: '/api/admin/keys/:keyId', permission: ADMIN },
  { method: 'PUT', path: '/api/admin/keys/:keyId', permission: ADMIN },
  { method: 'POST', path: '/api/admin/keys/:keyId/rotate', permission: ADMIN },
  { method: 'DELETE', path: '/api/admin/keys/:keyId', permission: ADMIN },

  // -- definitions
  { method: 'GET', path: '/api/metadata/taskdefs', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/taskdefs/:name', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/taskdefs/:name/changes', permission: METADATA_READ },
  { method: 'POST', path: '/api/metadata/taskdefs', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/metadata/taskdefs', permission: METADATA_WRITE },
  { method: 'DELETE', path: '/api/metadata/taskdefs/:name', permission: METADATA_WRITE },
  { method: 'GET', path: '/api/metadata/workflow', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/workflow/latest-versions', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/workflow/names', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/workflow/names-and-versions', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/workflow/:name', permission: METADATA_READ },
  { method: 'GET', path: '/api/metadata/workflow/:name/versions', permission: METADATA_READ },
  { method: 'POST', path: '/api/metadata/workflow/validate', permission: METADATA_WRITE },
  { method: 'POST', path: '/api/metadata/workflow', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/metadata/workflow', permission: METADATA_WRITE },
  { method: 'DELETE', path: '/api/metadata/workflow/:name/:version', permission: METADATA_WRITE },

  // -- event handlers (Conductor's /api/event) and schedules (/api/scheduler): definitions of what reacts
  { method: 'GET', path: '/api/event', permission: METADATA_READ },
  { method: 'GET', path: '/api/event/:event', permission: METADATA_READ },
  { method: 'POST', path: '/api/event', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/event', permission: METADATA_WRITE },
  { method: 'DELETE', path: '/api/event/:name', permission: METADATA_WRITE },
  { method: 'GET', path: '/api/scheduler/schedules', permission: METADATA_READ },
  { method: 'GET', path: '/api/scheduler/schedules/search', permission: METADATA_READ },
  { method: 'GET', path: '/api/scheduler/schedules/:name', permission: METADATA_READ },
  { method: 'GET', path: '/api/scheduler/nextFewSchedules', permission: METADATA_READ },
  { method: 'POST', path: '/api/scheduler/schedules', permission: METADATA_WRITE },
  { method: 'DELETE', path: '/api/scheduler/schedules/:name', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/scheduler/schedules/:name/pause', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/scheduler/schedules/:name/resume', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/scheduler/bulk/pause', permission: METADATA_WRITE },
  { method: 'PUT', path: '/api/scheduler/bulk/resume', permission: METADATA_WRITE },
  { method: 'GET', path: '/api/scheduler/search/executions', permission: WORKFLOW_READ },

  // -- events: publishing acts on workflows (starts, completes, terminates); reading shows payloads
  { method: 'POST', path: '/api/events', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/events/:eventId/replay', permission: WORKFLOW_CONTROL },
  { method: 'GET', path: '/api/events', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/events/:eventId', permission: WORKFLOW_READ },

  // -- status listeners and alerts (docs/alerts.md): webhooks hold secrets and reach out, so only admins set them
  { method: 'GET', path: '/api/listeners/webhooks', permission: METADATA_READ },
  { method: 'GET', path: '/api/listeners/changes', permission: METADATA_READ },
  { method: 'PUT', path: '/api/listeners/webhooks/:name', permission: ADMIN },
  { method: 'DELETE', path: '/api/listeners/webhooks/:name', permission: ADMIN },
  { method: 'GET', path: '/api/listeners/deliveries', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/alerts', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/alerts/rules', permission: METADATA_READ },
  { method: 'GET', path: '/api/alerts/rules/changes', permission: METADATA_READ },
  { method: 'PUT', path: '/api/alerts/rules/:rule', permission: METADATA_WRITE },

  // -- workflows: reads (search before ':workflowId')
  { method: 'GET', path: '/api/workflow/search', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/search-v2', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/search-by-tasks', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/search-by-tasks-v2', permission: WORKFLOW_READ },
  { method: 'POST', path: '/api/workflow/bulk/search', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/running/:name', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:name/correlated/:correlationId', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:workflowId', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:workflowId/status', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:workflowId/tasks', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:workflowId/signals', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:workflowId/query/:name', permission: WORKFLOW_READ },
  { method: 'GET', path: '/api/workflow/:workflowId/flow', permission: WORKFLOW_READ },
  // -- workflows: control (bulk before ':workflowId')
  { method: 'PUT', path: '/api/workflow/bulk/pause', permission: WORKFLOW_CONTROL },
  { method: 'PUT', path: '/api/workflow/bulk/resume', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/bulk/restart', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/bulk/retry', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/bulk/terminate', permission: WORKFLOW_CONTROL },
  { method: 'DELETE', path: '/api/workflow/:workflowId', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/:workflowId/retry', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/:workflowId/restart', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/:workflowId/rerun', permission: WORKFLOW_CONTROL },
  { method: 'PUT', path: '/api/workflow/:workflowId/pause', permission: WORKFLOW_CONTROL },
  { method: 'PUT', path: '/api/workflow/:workflowId/resume', permission: WORKFLOW_CONTROL },
  { method: 'PUT', path: '/api/workflow/:workflowId/skiptask/:taskReferenceName', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/workflow/:workflowId/signal/:signalName', permission: WORKFLOW_CONTROL },
  { method: 'POST', path: '/api/tasks/failed/retry', permission: WORKFLOW_CONTROL },
  // -- workflows: start (after the literal POST paths above)
  { method: 'POST', path: '/api/workflow', permission: WORKFLOW_START },
  { method: 'POST', path: '/api/workflow/execute/:name/:version', permission: WORKFLOW_START },
  { method: 'POST', path: '/api/workflow/:name', permission: WORKFLOW_START },

  // -- tasks: the worker protocol
  { method: 'GET', path: '/api/tasks/poll/batch/:taskType', permission: TASK_POLL, taskType: taskTypeParam },
  { method: 'GET', path: '/api/tasks/poll/:taskType', permission: TASK_POLL, taskType: taskTypeParam },
  { method: 'POST', path: '/api/tasks', permission: TASK_REPORT, taskType: { from: 'taskIdInBody' } },
  { method: 'POST', path: '/api/tasks/update-v2', permission: TASK_REPORT, taskType: { from: 'taskIdInBody' } },
  { method: 'POST', path: '/api/tasks/:taskId/log', permission: TASK_REPORT, taskType: { from: 'taskIdParam', name: 'taskId' } },
  // -- tasks: engine-held steps (WAIT, HUMAN) completed by reference name
  { method: 'POST', path: '/api/tasks/:workflowId/:status/signal', permission: TASK_COMPLETE },
  { method: 'POST', path: '/api/tasks/:workflowId/:status/signal/sync', permission: TASK_COMPLETE },
  { method: 'POST', path: '/api/tasks/:workflowId/:taskRefName/:status', permission: TASK_COMPLETE },
  { method: 'POST', path: '/api/tasks/:workflowId/:taskRefName/:status/sync', permission: TASK_COMPLETE },
  // -- tasks: reads (literal segments before ':taskId')
  { method: 'GET', path: '/api/tasks/queue/sizes', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/queue/size', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/queue/all', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/queue/polldata', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/queue/polldata/all', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/search', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/search-v2', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/failed', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/:taskId', permission: TASK_READ },
  { method: 'GET', path: '/api/tasks/:taskId/log', permission: TASK_READ },
];
