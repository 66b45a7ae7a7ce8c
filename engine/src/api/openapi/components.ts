import { taskDefSchema, workflowDefSchema } from '@baton/definitions';
import * as P from '@baton/protocol';
import type { TSchema } from '@sinclair/typebox';

/**
 * The document's component schemas: the wire types of @baton/protocol (the very objects the
 * route validators compile) and the definition schemas of @baton/definitions (the ones that
 * validate registrations), rewritten only where JSON Schema's `$id`/`$defs` references must
 * become OpenAPI component references.
 */
export function componentSchemas(): Record<string, unknown> {
  const wire: Record<string, TSchema> = {
    Task: P.Task,
    TaskResult: P.TaskResult,
    TaskExecLog: P.TaskExecLog,
    TaskSummary: P.TaskSummary,
    PollData: P.PollData,
    RetryFailedTasksRequest: P.RetryFailedTasksRequest,
    StartWorkflowRequest: P.StartWorkflowRequest,
    RerunWorkflowRequest: P.RerunWorkflowRequest,
    SkipTaskRequest: P.SkipTaskRequest,
    Workflow: P.Workflow,
    WorkflowSummary: P.WorkflowSummary,
    WorkflowStatus: P.WorkflowStatusSummary,
    WorkflowRun: P.WorkflowRun,
    BulkResponse: P.BulkResponse,
    CorrelationIdsSearchRequest: P.CorrelationIdsSearchRequest,
    Problem: P.Problem,
    PublishEventRequest: P.PublishEventRequest,
    PublishEventResponse: P.PublishEventResponse,
    EventView: P.EventView,
    EventHandler: P.EventHandler,
    WorkflowSignal: P.WorkflowSignal,
    SignalResponse: P.SignalResponse,
    WorkflowSchedule: P.WorkflowSchedule,
    WorkflowScheduleExecution: P.WorkflowScheduleExecution,
    FlowStatus: P.FlowStatus,
    WebhookRequest: P.WebhookRequest,
    WebhookView: P.WebhookView,
    ListenerDelivery: P.ListenerDelivery,
    ListenerConfigChange: P.ListenerConfigChange,
    AlertRuleRequest: P.AlertRuleRequest,
    AlertRuleConfig: P.AlertRuleConfig,
    AlertsView: P.AlertsView,
    ExternalStorageLocation: P.ExternalStorageLocation,
  };
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(wire)) out[name] = plain(schema);
  out.SearchResultWorkflowSummary = {
    type: 'object',
    required: ['totalHits', 'results'],
    properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: ref('WorkflowSummary') } },
  };
  out.SearchResultWorkflow = {
    type: 'object',
    required: ['totalHits', 'results'],
    properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: ref('Workflow') } },
  };
  out.SearchResultTaskSummary = {
    type: 'object',
    required: ['totalHits', 'results'],
    properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: ref('TaskSummary') } },
  };
  out.SearchResultTask = {
    type: 'object',
    required: ['totalHits', 'results'],
    properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: ref('Task') } },
  };

  const refs: Record<string, string> = {
    [taskDefSchema.$id]: '#/components/schemas/TaskDef',
    [workflowDefSchema.$id]: '#/components/schemas/WorkflowDef',
    '#': '#/components/schemas/WorkflowDef',
    '#/$defs/workflowTask': '#/components/schemas/WorkflowTask',
    '#/$defs/subWorkflowParams': '#/components/schemas/SubWorkflowParams',
  };
  const { $schema: _s1, $id: _i1, ...taskDef } = taskDefSchema as Record<string, unknown>;
  const { $schema: _s2, $id: _i2, $defs, ...workflowDef } = workflowDefSchema as Record<string, unknown>;
  void [_s1, _i1, _s2, _i2];
  const defs = $defs as { workflowTask: unknown; subWorkflowParams: unknown };
  out.TaskDef = rewriteRefs(taskDef, refs);
  out.WorkflowDef = rewriteRefs(workflowDef, refs);
  out.WorkflowTask = rewriteRefs(defs.workflowTask, refs);
  out.SubWorkflowParams = rewriteRefs(defs.subWorkflowParams, refs);
  return out;
}

export const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/** A TypeBox schema as plain JSON (its symbol-keyed metadata dropped). */
function plain(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}

function rewriteRefs(value: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, refs));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === '$ref' && typeof v === 'string') {
      const to = refs[v];
      if (!to) throw new Error(`the OpenAPI document cannot express the reference '${v}'`);
      out[k] = to;
    } else out[k] = rewriteRefs(v, refs);
  }
  return out;
}
