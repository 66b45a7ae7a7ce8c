import { request } from './client';
import type { BulkResponse, RetryFailedResult, TaskDef, WorkflowDef } from './types';

const wf = (id: string) => `/api/workflow/${encodeURIComponent(id)}`;

/** The operator's actions on one run, each one REST call (README, "REST API"). */
export const workflowActions = {
  terminate: (id: string, reason: string) => request<void>(wf(id), { method: 'DELETE', query: { reason: reason || undefined } }),
  pause: (id: string) => request<void>(`${wf(id)}/pause`, { method: 'PUT' }),
  resume: (id: string) => request<void>(`${wf(id)}/resume`, { method: 'PUT' }),
  retry: (id: string) => request<void>(`${wf(id)}/retry`, { method: 'POST' }),
  restart: (id: string, useLatestDefinitions: boolean) =>
    request<void>(`${wf(id)}/restart`, { method: 'POST', query: { useLatestDefinitions: useLatestDefinitions || undefined } }),
  remove: (id: string) => request<void>(`${wf(id)}/remove`, { method: 'DELETE' }),
  /** Conductor's RerunWorkflowRequest: run again from one task, optionally with new inputs. */
  rerun: (id: string, r: { reRunFromTaskId: string; workflowInput?: Record<string, unknown>; taskInput?: Record<string, unknown> }) =>
    request<string>(`${wf(id)}/rerun`, { method: 'POST', body: { reRunFromWorkflowId: id, ...r } }),
  /** Conductor's SkipTaskRequest: the step is marked SKIPPED (with this output) and the run goes on. */
  skip: (id: string, ref: string, r: { taskInput?: Record<string, unknown>; taskOutput?: Record<string, unknown> }) =>
    request<void>(`${wf(id)}/skiptask/${encodeURIComponent(ref)}`, { method: 'PUT', body: r }),
  complete: (id: string, ref: string, status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR', output: Record<string, unknown>) =>
    request<string>(`/api/tasks/${encodeURIComponent(id)}/${encodeURIComponent(ref)}/${status}`, { method: 'POST', body: output }),
  // The body is the signal's payload; the engine keeps it in the run's inbox (docs/events.md).
  signal: (id: string, name: string, payload: Record<string, unknown>) =>
    request<unknown>(`${wf(id)}/signal/${encodeURIComponent(name)}`, { method: 'POST', body: payload }),
};

export type BulkAction = 'pause' | 'resume' | 'retry' | 'restart' | 'terminate';

export function bulk(action: BulkAction, ids: string[]): Promise<BulkResponse> {
  const method = action === 'pause' || action === 'resume' ? 'PUT' : 'POST';
  return request<BulkResponse>(`/api/workflow/bulk/${action}`, { method, body: ids });
}

export function startWorkflow(r: {
  name: string;
  version?: number;
  input: Record<string, unknown>;
  correlationId?: string;
  priority?: number;
}): Promise<string> {
  return request<string>('/api/workflow', { method: 'POST', body: r });
}

/** A new version (409 when it exists) or, with overwrite, in place. */
export function saveWorkflowDef(def: WorkflowDef, overwrite: boolean): Promise<unknown> {
  return overwrite
    ? request('/api/metadata/workflow', { method: 'PUT', body: [def] })
    : request('/api/metadata/workflow', { method: 'POST', body: def });
}

export function deleteWorkflowDef(name: string, version: number): Promise<void> {
  return request(`/api/metadata/workflow/${encodeURIComponent(name)}/${version}`, { method: 'DELETE' });
}

export function saveTaskDef(def: TaskDef): Promise<TaskDef> {
  return request<TaskDef>('/api/metadata/taskdefs', { method: 'PUT', body: def });
}

export function retryPoisonTasks(taskType: string, workflowIds?: string[]): Promise<RetryFailedResult> {
  return request<RetryFailedResult>('/api/tasks/failed/retry', {
    method: 'POST',
    body: workflowIds ? { taskType, workflowIds } : { taskType },
  });
}
