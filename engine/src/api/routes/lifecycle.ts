import {
  RerunWorkflowRequest as RerunWorkflowRequestSchema,
  SkipTaskRequest as SkipTaskRequestSchema,
  type RerunWorkflowRequest,
  type SkipTaskRequest,
  CorrelationIdList,
  CorrelationIdsSearchRequest,
  WorkflowIdList,
  type CorrelationIdsSearchRequest as CorrelationBatch,
} from '@baton/protocol';
import { Router, type Request } from 'express';
import type { JsonObject, WorkflowRecord } from '../../domain/records';
import { WorkflowStatus } from '../../domain/status';
import type { Engine } from '../../runtime/engine';
import { Lifecycle, bulk } from '../../runtime/lifecycle';
import type { Expr } from '../../search/query';
import { workflowJson } from '../serialize';
import { check, compile } from '../validate';
import { bodyOf } from './metadata';
import { boolParam, intParam, stringParam } from './params';

const validateIds = compile<string[]>(WorkflowIdList);
const validateCorrelationIds = compile<string[]>(CorrelationIdList);
const validateBatch = compile<CorrelationBatch>(CorrelationIdsSearchRequest);
const validateVariables = compile<JsonObject>({ type: 'object' });
const validateRerun = compile<RerunWorkflowRequest>(RerunWorkflowRequestSchema);
const validateSkip = compile<SkipTaskRequest>(SkipTaskRequestSchema);

/** Workflows of one name and correlation id returned by a correlation lookup, at most. */
const MAX_CORRELATED = 1000;
/** Ids `GET /workflow/running/{name}` answers, at most. */
const MAX_RUNNING = 100_000;

/**
 * Conductor's workflow lifecycle routes (runtime/lifecycle.ts does the work): status, pause,
 * resume, restart, remove, variables, correlation lookups, running ids, and the bulk forms under
 * /workflow/bulk/ answering Conductor's BulkResponse. Mounted before workflow.ts's routes.
 */
export function lifecycleRoutes(engine: Engine): Router {
  const r = Router();
  const life = new Lifecycle(engine);

  // ---- bulk (before '/:workflowId/...' so that 'bulk' is never taken for an id)
  const ids = (req: Request): string[] => check(validateIds, bodyOf(req), 'list of workflow ids');
  r.put('/bulk/pause', async (req, res) => {
    res.json(await bulk(ids(req), (id) => life.pause(id)));
  });
  r.put('/bulk/resume', async (req, res) => {
    res.json(await bulk(ids(req), (id) => life.resume(id)));
  });
  r.post('/bulk/restart', async (req, res) => {
    const latest = boolParam(req, 'useLatestDefinitions');
    res.json(await bulk(ids(req), (id) => life.restart(id, latest)));
  });
  r.post('/bulk/retry', async (req, res) => {
    res.json(await bulk(ids(req), (id) => engine.retryWorkflow(id)));
  });
  r.post('/bulk/terminate', async (req, res) => {
    const reason = stringParam(req, 'reason') ?? 'terminated in bulk over REST';
    res.json(await bulk(ids(req), (id) => engine.terminate(id, reason)));
  });
  r.delete('/bulk/remove', async (req, res) => {
    res.json(await bulk(ids(req), (id) => life.remove(id)));
  });
  r.delete('/bulk/terminate-remove', async (req, res) => {
    const reason = stringParam(req, 'reason') ?? 'terminated in bulk over REST';
    res.json(await bulk(ids(req), (id) => life.terminateAndRemove(id, reason)));
  });

  // ---- lookups
  r.get('/running/:name', async (req, res) => {
    const clauses: Expr[] = [
      { kind: 'cmp', field: 'workflowType', op: '=', value: req.params.name },
      { kind: 'cmp', field: 'version', op: '=', value: intParam(req, 'version', 1, 1, Number.MAX_SAFE_INTEGER) },
      { kind: 'cmp', field: 'status', op: '=', value: WorkflowStatus.RUNNING },
    ];
    const from = intParam(req, 'startTime', 0, 0, Number.MAX_SAFE_INTEGER);
    const to = intParam(req, 'endTime', 0, 0, Number.MAX_SAFE_INTEGER);
    if (from) clauses.push({ kind: 'cmp', field: 'startTime', op: '>=', value: from });
    if (to) clauses.push({ kind: 'cmp', field: 'startTime', op: '<=', value: to });
    const out: string[] = [];
    for (let start = 0; start < MAX_RUNNING; start += 1000) {
      const page = await engine.store.searchWorkflows({
        filter: { kind: 'and', items: clauses },
        text: [],
        sort: [{ field: 'startTime', desc: true }],
        start,
        size: 1000,
      });
      out.push(...page.results.map((w) => w.workflowId));
      if (page.results.length < 1000) break;
    }
    res.json(out);
  });

  r.get('/:name/correlated/:correlationId', async (req, res) => {
    res.json(
      await correlated(
        engine,
        [req.params.name],
        req.params.correlationId,
        boolParam(req, 'includeClosed'),
        boolParam(req, 'includeTasks'),
      ),
    );
  });
  r.post('/:name/correlated', async (req, res) => {
    const list = check(validateCorrelationIds, bodyOf(req), 'list of correlation ids');
    const out: Record<string, unknown[]> = {};
    for (const c of new Set(list))
      out[c] = await correlated(engine, [req.params.name], c, boolParam(req, 'includeClosed'), boolParam(req, 'includeTasks'));
    res.json(out);
  });
  r.post('/correlated/batch', async (req, res) => {
    const b = check(validateBatch, bodyOf(req), 'CorrelationIdsSearchRequest');
    const out: Record<string, unknown[]> = {};
    for (const c of new Set(b.correlationIds))
      out[c] = await correlated(engine, b.workflowNames, c, boolParam(req, 'includeClosed'), boolParam(req, 'includeTasks'));
    res.json(out);
  });

  // ---- one workflow
  r.get('/:workflowId/status', async (req, res) => {
    const wf = await engine.getWorkflow(req.params.workflowId);
    res.json({
      workflowId: wf.workflowId,
      ...(wf.correlationId ? { correlationId: wf.correlationId } : {}),
      status: wf.status,
      ...(boolParam(req, 'includeOutput') ? { output: wf.output } : {}),
      ...(boolParam(req, 'includeVariables') ? { variables: wf.variables } : {}),
    });
  });
  r.put('/:workflowId/pause', async (req, res) => {
    await life.pause(req.params.workflowId);
    res.status(200).end();
  });
  r.put('/:workflowId/resume', async (req, res) => {
    await life.resume(req.params.workflowId);
    res.status(200).end();
  });
  r.post('/:workflowId/restart', async (req, res) => {
    await life.restart(req.params.workflowId, boolParam(req, 'useLatestDefinitions'));
    res.status(204).end();
  });
  r.post('/:workflowId/rerun', async (req, res) => {
    const body = check(validateRerun, req.body ?? {}, 'RerunWorkflowRequest');
    await life.rerun(req.params.workflowId, body);
    res.status(200).type('text/plain').send(req.params.workflowId);
  });
  r.put('/:workflowId/skiptask/:taskReferenceName', async (req, res) => {
    const body = check(validateSkip, req.body ?? {}, 'SkipTaskRequest');
    await life.skipTask(req.params.workflowId, req.params.taskReferenceName, body);
    res.status(200).end();
  });
  r.delete('/:workflowId/remove', async (req, res) => {
    await life.remove(req.params.workflowId);
    res.status(200).end();
  });
  r.delete('/:workflowId/terminate-remove', async (req, res) => {
    await life.terminateAndRemove(req.params.workflowId, stringParam(req, 'reason') ?? 'terminated over REST');
    res.status(200).end();
  });
  r.post('/:workflowId/variables', async (req, res) => {
    const vars = check(validateVariables, bodyOf(req), 'workflow variables');
    res.json(workflowJson(await life.updateVariables(req.params.workflowId, vars)));
  });
  return r;
}

async function correlated(
  engine: Engine,
  names: string[],
  correlationId: string,
  includeClosed: boolean,
  includeTasks: boolean,
): Promise<unknown[]> {
  const filter: Expr = {
    kind: 'and',
    items: [
      { kind: 'in', field: 'workflowType', values: names, negate: false },
      { kind: 'cmp', field: 'correlationId', op: '=', value: correlationId },
      ...(includeClosed
        ? []
        : [{ kind: 'in', field: 'status', values: [WorkflowStatus.RUNNING, WorkflowStatus.PAUSED], negate: false } as Expr]),
    ],
  };
  const page = await engine.store.searchWorkflows({
    filter,
    text: [],
    sort: [{ field: 'startTime', desc: true }],
    start: 0,
    size: MAX_CORRELATED,
  });
  const out: unknown[] = [];
  for (const w of page.results as WorkflowRecord[])
    out.push(workflowJson(w, includeTasks ? await engine.store.getTasks(w.workflowId) : undefined));
  return out;
}
