import { Router } from 'express';
import { WorkflowStatus } from '../../domain/status';
import { ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { taskFields, workflowFields } from '../../search/fields';
import { searchRequestOf } from '../search-params';
import type { Expr } from '../../search/query';
import { taskJson, workflowJson } from '../serialize';
import { taskSummary, workflowSummary } from '../summary';
import { stringListParam, stringParam } from './params';

/**
 * Conductor's search routes, on the store's indexes (no separate index server): workflows as
 * WorkflowSummary (`/workflow/search`) or whole (`/workflow/search-v2`), tasks as TaskSummary
 * (`/tasks/search`) or whole (`/tasks/search-v2`). Newest first unless `sort` says otherwise.
 */
export function workflowSearchRoutes(engine: Engine): Router {
  const r = Router();
  const request = (req: Parameters<Parameters<Router['get']>[1]>[0]) =>
    searchRequestOf(req, workflowFields, 'workflow', { field: 'startTime', desc: true }, legacyFilters(req));
  r.get('/search', async (req, res) => {
    const page = await engine.store.searchWorkflows(request(req));
    res.json({ totalHits: page.totalHits, results: page.results.map(workflowSummary) });
  });
  r.get('/search-v2', async (req, res) => {
    const page = await engine.store.searchWorkflows(request(req));
    res.json({ totalHits: page.totalHits, results: page.results.map((w) => workflowJson(w)) });
  });
  return r;
}

export function taskSearchRoutes(engine: Engine): Router {
  const r = Router();
  const request = (req: Parameters<Parameters<Router['get']>[1]>[0]) =>
    searchRequestOf(req, taskFields, 'task', { field: 'updateTime', desc: true });
  r.get('/search', async (req, res) => {
    const page = await engine.store.searchTasks(request(req));
    res.json({ totalHits: page.totalHits, results: page.results.map(taskSummary) });
  });
  r.get('/search-v2', async (req, res) => {
    const page = await engine.store.searchTasks(request(req));
    res.json({ totalHits: page.totalHits, results: page.results.map(taskJson) });
  });
  return r;
}

/** Baton's first search parameters (workflowName=, status=, correlationId=), still accepted. */
function legacyFilters(req: Parameters<Parameters<Router['get']>[1]>[0]): Expr[] {
  const out: Expr[] = [];
  const name = stringParam(req, 'workflowName');
  if (name) out.push({ kind: 'cmp', field: 'workflowType', op: '=', value: name });
  const statuses = stringListParam(req, 'status');
  const bad = statuses.find((s) => !(s in WorkflowStatus));
  if (bad)
    throw new ValidationError(`unknown status '${bad}'`, [
      { pointer: '/query/status', message: `must be one of ${Object.keys(WorkflowStatus).join(', ')}` },
    ]);
  if (statuses.length) out.push({ kind: 'in', field: 'status', values: statuses, negate: false });
  const correlationId = stringParam(req, 'correlationId');
  if (correlationId) out.push({ kind: 'cmp', field: 'correlationId', op: '=', value: correlationId });
  return out;
}
