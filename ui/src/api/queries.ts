import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { request, type Query } from './client';
import type {
  PollData,
  SearchResult,
  Task,
  TaskDef,
  TaskDefChange,
  TaskLog,
  TaskSummary,
  Workflow,
  WorkflowDef,
  WorkflowSummary,
} from './types';
import { isEnded } from './types';

/** How often live views ask again. Each is one cheap indexed read on the engine. */
export const LIVE_MS = { execution: 2000, search: 5000, queues: 5000 } as const;

export interface SearchParams {
  query: string;
  freeText: string;
  sort: string;
  start: number;
  size: number;
}

export function useWorkflowSearch(p: SearchParams, live: boolean): UseQueryResult<SearchResult<WorkflowSummary>> {
  return useQuery({
    queryKey: ['workflow-search', p],
    queryFn: ({ signal }) => request<SearchResult<WorkflowSummary>>('/api/workflow/search', { query: searchQuery(p), signal }),
    placeholderData: keepPreviousData,
    refetchInterval: live ? LIVE_MS.search : false,
  });
}

export function useTaskSearch(p: SearchParams, enabled = true): UseQueryResult<SearchResult<TaskSummary>> {
  return useQuery({
    queryKey: ['task-search', p],
    queryFn: ({ signal }) => request<SearchResult<TaskSummary>>('/api/tasks/search', { query: searchQuery(p), signal }),
    enabled,
  });
}

function searchQuery(p: SearchParams): Query {
  return { query: p.query, freeText: p.freeText || undefined, sort: p.sort, start: p.start, size: p.size };
}

/** A run with every attempt (also asked for at start-up, main.tsx, when the page opens on it). */
export const workflowQuery = (id: string) => ({
  queryKey: ['workflow', id],
  queryFn: ({ signal }: { signal?: AbortSignal }) =>
    request<Workflow>(`/api/workflow/${encodeURIComponent(id)}`, { query: { includeTasks: true }, ...(signal ? { signal } : {}) }),
});

/** A run with every attempt, asked again every 2 s while it can still change. */
export function useWorkflow(id: string): UseQueryResult<Workflow> {
  return useQuery({
    ...workflowQuery(id),
    refetchInterval: (q) => (q.state.data && isEnded(q.state.data.status) ? false : LIVE_MS.execution),
  });
}

/** The child runs of a run (sub-workflows), found by parentWorkflowId: also when outputs are masked. */
export function useChildRuns(id: string, enabled: boolean): UseQueryResult<SearchResult<Workflow>> {
  return useQuery({
    queryKey: ['children', id],
    queryFn: ({ signal }) =>
      request<SearchResult<Workflow>>('/api/workflow/search-v2', {
        query: { query: `parentWorkflowId = '${id}'`, size: 1000, sort: 'startTime:ASC' },
        signal,
      }),
    enabled,
  });
}

export function useTaskLogs(taskId: string | null): UseQueryResult<TaskLog[]> {
  return useQuery({
    queryKey: ['task-log', taskId],
    queryFn: ({ signal }) => request<TaskLog[]>(`/api/tasks/${encodeURIComponent(taskId ?? '')}/log`, { signal }),
    enabled: taskId !== null,
  });
}

export function useTask(taskId: string): UseQueryResult<Task> {
  return useQuery({
    queryKey: ['task', taskId],
    queryFn: ({ signal }) => request<Task>(`/api/tasks/${encodeURIComponent(taskId)}`, { signal }),
  });
}

export function useWorkflowDefs(): UseQueryResult<WorkflowDef[]> {
  return useQuery({ queryKey: ['workflow-defs'], queryFn: ({ signal }) => request<WorkflowDef[]>('/api/metadata/workflow', { signal }) });
}

export function useWorkflowDef(name: string, version: number | undefined): UseQueryResult<WorkflowDef> {
  return useQuery({
    queryKey: ['workflow-def', name, version ?? 'latest'],
    queryFn: ({ signal }) => request<WorkflowDef>(`/api/metadata/workflow/${encodeURIComponent(name)}`, { query: { version }, signal }),
  });
}

export function useTaskDefs(): UseQueryResult<TaskDef[]> {
  return useQuery({ queryKey: ['task-defs'], queryFn: ({ signal }) => request<TaskDef[]>('/api/metadata/taskdefs', { signal }) });
}

export function useTaskDef(name: string, enabled = true): UseQueryResult<TaskDef> {
  return useQuery({
    queryKey: ['task-def', name],
    queryFn: ({ signal }) => request<TaskDef>(`/api/metadata/taskdefs/${encodeURIComponent(name)}`, { signal }),
    enabled,
  });
}

export function useTaskDefChanges(name: string, enabled = true): UseQueryResult<TaskDefChange[]> {
  return useQuery({
    queryKey: ['task-def-changes', name],
    queryFn: ({ signal }) =>
      request<TaskDefChange[]>(`/api/metadata/taskdefs/${encodeURIComponent(name)}/changes`, { query: { limit: 200 }, signal }),
    enabled,
  });
}

export function useQueueDepths(): UseQueryResult<Record<string, number>> {
  return useQuery({
    queryKey: ['queue-depths'],
    queryFn: ({ signal }) => request<Record<string, number>>('/api/tasks/queue/all', { signal }),
    refetchInterval: LIVE_MS.queues,
  });
}

export function usePollData(): UseQueryResult<PollData[]> {
  return useQuery({
    queryKey: ['poll-data'],
    queryFn: ({ signal }) => request<PollData[]>('/api/tasks/queue/polldata/all', { signal }),
    refetchInterval: LIVE_MS.queues,
  });
}

export function usePoisonTasks(taskType: string, limit: number): UseQueryResult<Task[]> {
  return useQuery({
    queryKey: ['poison', taskType, limit],
    queryFn: ({ signal }) => request<Task[]>('/api/tasks/failed', { query: { taskType: taskType || undefined, limit }, signal }),
    refetchInterval: LIVE_MS.queues,
  });
}

/** One alert of a built-in rule (GET /api/alerts, docs/alerts.md). */
export interface AlertView {
  rule: 'poisonTask' | 'queueDepth' | 'runFailed';
  key: string;
  message: string;
  firedAt: number;
  lastSeenAt: number;
  resolvedAt: number;
  occurrences: number;
  detail: Record<string, unknown>;
}

export interface AlertsView {
  active: AlertView[];
  recent: AlertView[];
  rules: Array<{ rule: AlertView['rule']; enabled: boolean; threshold: number; forMinutes: number }>;
}

export function useAlerts(): UseQueryResult<AlertsView> {
  return useQuery({
    queryKey: ['alerts'],
    queryFn: ({ signal }) => request<AlertsView>('/api/alerts', { signal }),
    refetchInterval: LIVE_MS.queues,
  });
}
