import { Router } from 'express';
import { INT32_MAX, validateWorkflowDef, type WorkflowDef } from '@baton/definitions';
import type { JsonObject } from '../../domain/records';
import { WorkflowStatus, type WorkflowStatus as Status } from '../../domain/status';
import { ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { workflowJson } from '../serialize';
import { compile, check } from '../validate';
import { intParam, stringListParam, stringParam } from './params';

interface StartWorkflowBody {
  name: string;
  version?: number;
  input?: JsonObject;
  correlationId?: string;
  priority?: number;
  workflowDef?: unknown;
  taskToDomain?: Record<string, string>;
}

const validateStart = compile<StartWorkflowBody>({
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 1, maximum: INT32_MAX },
    input: { type: 'object' },
    correlationId: { type: ['string', 'null'] },
    priority: { type: 'integer', minimum: 0, maximum: 99 },
    workflowDef: { type: 'object' },
    taskToDomain: { type: 'object' },
  },
});

const validateInput = compile<JsonObject>({ type: 'object' });

/** Conductor's workflow API: start, read, terminate, search. */
export function workflowRoutes(engine: Engine): Router {
  const r = Router();

  r.post('/', async (req, res) => {
    const body = check(validateStart, req.body ?? {}, 'StartWorkflowRequest');
    let workflowDef: WorkflowDef | undefined;
    if (body.workflowDef !== undefined) {
      const v = validateWorkflowDef(body.workflowDef, { isKnownTaskDef: (n) => engine.taskDefs.get(n) !== undefined });
      if (!v.ok) throw new ValidationError('workflowDef is invalid', v.problems.map((p) => ({ pointer: `/workflowDef${p.pointer}`, message: p.message })));
      workflowDef = v.value;
    }
    const id = await engine.startWorkflow({
      name: body.name,
      ...(body.version !== undefined ? { version: body.version } : {}),
      input: body.input ?? {},
      correlationId: body.correlationId ?? null,
      priority: body.priority ?? 0,
      ...(workflowDef ? { workflowDef } : {}),
    });
    res.status(200).type('text/plain').send(id);
  });

  // Before '/:name' so that it is not taken for a workflow name.
  r.get('/search', async (req, res) => {
    const statuses = stringListParam(req, 'status');
    const bad = statuses.find((s) => !(s in WorkflowStatus));
    if (bad) throw new ValidationError(`unknown status '${bad}'`, [{ pointer: '/query/status', message: `must be one of ${Object.keys(WorkflowStatus).join(', ')}` }]);
    const name = stringParam(req, 'workflowName');
    const correlationId = stringParam(req, 'correlationId');
    const found = await engine.store.findWorkflows({
      ...(name ? { workflowName: name } : {}),
      ...(correlationId ? { correlationId } : {}),
      status: statuses as Status[],
      start: intParam(req, 'start', 0, 0, 1_000_000),
      size: intParam(req, 'size', 100, 1, 1000),
    });
    res.json({ totalHits: found.totalHits, results: found.results.map((w) => summary(w)) });
  });

  r.post('/:name', async (req, res) => {
    const input = check(validateInput, req.body ?? {}, 'workflow input');
    const version = req.query.version === undefined ? undefined : intParam(req, 'version', 1, 1, INT32_MAX);
    const id = await engine.startWorkflow({
      name: req.params.name,
      ...(version !== undefined ? { version } : {}),
      input,
      correlationId: stringParam(req, 'correlationId') ?? null,
      priority: intParam(req, 'priority', 0, 0, 99),
    });
    res.status(200).type('text/plain').send(id);
  });

  r.get('/:workflowId', async (req, res) => {
    const wf = await engine.getWorkflow(req.params.workflowId);
    const includeTasks = req.query.includeTasks !== 'false';
    res.json(workflowJson(wf, includeTasks ? await engine.store.getTasks(wf.workflowId) : undefined));
  });

  // Conductor's retry: the failed step gets a new attempt and the workflow runs on from there.
  r.post('/:workflowId/retry', async (req, res) => {
    await engine.retryWorkflow(req.params.workflowId);
    res.status(204).end();
  });

  r.delete('/:workflowId', async (req, res) => {
    await engine.terminate(req.params.workflowId, stringParam(req, 'reason') ?? 'terminated over REST');
    res.status(200).end();
  });

  return r;
}

function summary(w: Parameters<typeof workflowJson>[0]): Record<string, unknown> {
  const { workflowDefinition: _def, ...rest } = workflowJson(w);
  void _def;
  return rest;
}
