import { INT32_MAX, validateWorkflowDef, type WorkflowDef } from '@baton/definitions';
import { StartWorkflowRequest as StartWorkflowRequestSchema, type StartWorkflowRequest } from '@baton/protocol';
import { Router, type Request } from 'express';
import type { JsonObject } from '../../domain/records';
import { NotFoundError, ValidationError } from '../../errors';
import type { Engine, StartRequest } from '../../runtime/engine';
import { definitionWarnings, sendWarnings } from '../definition-warnings';
import { workflowJson } from '../serialize';
import { compile, check } from '../validate';
import { bodyOf } from './metadata';
import { intParam, stringParam } from './params';
import { startIdempotent, withIdempotency } from '../../runtime/reactions/idempotency';

const validateStart = compile<StartWorkflowRequest>(StartWorkflowRequestSchema);

const validateInput = compile<JsonObject>({ type: 'object' });

/** Conductor's workflow API: start, read, terminate, retry (search: search.ts; the rest: lifecycle.ts, execute.ts). */
export function workflowRoutes(engine: Engine): Router {
  const r = Router();

  r.post('/', async (req, res) => {
    const { request, warnings } = startRequestOf(engine, req);
    sendWarnings(res, engine.log, warnings);
    const id = await startIdempotent(engine, request);
    res.status(200).type('text/plain').send(id);
  });

  r.post('/:name', async (req, res) => {
    // JSON or YAML, like every body Baton reads.
    const input = check(validateInput, req.body === undefined ? {} : bodyOf(req), 'workflow input');
    const version = req.query.version === undefined ? undefined : intParam(req, 'version', 1, 1, INT32_MAX);
    // Baton: idempotencyKey and idempotencyStrategy as query parameters (the body is the input).
    const request = withIdempotency(
      {
        name: req.params.name,
        ...(version !== undefined ? { version } : {}),
        input,
        correlationId: stringParam(req, 'correlationId') ?? null,
        priority: intParam(req, 'priority', 0, 0, 99),
        foldable: true,
      },
      stringParam(req, 'idempotencyKey'),
      stringParam(req, 'idempotencyStrategy'),
      '/query',
    );
    const id = await startIdempotent(engine, request);
    res.status(200).type('text/plain').send(id);
  });

  r.get('/:workflowId', async (req, res) => {
    const includeTasks = req.query.includeTasks !== 'false';
    const wf = await engine.getWorkflow(req.params.workflowId).catch(async (err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
      return null;
    });
    if (wf) {
      res.json(workflowJson(wf, includeTasks ? await engine.store.getTasks(wf.workflowId) : undefined));
      return;
    }
    // Retention may have archived it (docs/operations.md): read-only, as it ended.
    const archived = await engine.store.getArchivedWorkflow(req.params.workflowId);
    if (!archived) throw new NotFoundError(`workflow '${req.params.workflowId}' not found`);
    const definition = (await engine.definitions.get(archived.workflow.definitionId)) ?? undefined;
    const view = workflowJson({ ...archived.workflow, ...(definition ? { definition } : {}) }, includeTasks ? archived.tasks : undefined);
    res.json({ ...view, archived: true, archivedAt: archived.archivedAt });
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

/**
 * A StartWorkflowRequest body (JSON or YAML), checked against @baton/protocol's schema; an inline
 * workflowDef is validated like a registered one. Shared with the execute route.
 */
export function startRequestOf(engine: Engine, req: Request): { request: StartRequest; warnings: string[] } {
  const body = check(validateStart, req.body === undefined ? {} : bodyOf(req), 'StartWorkflowRequest');
  let workflowDef: WorkflowDef | undefined;
  if (body.workflowDef !== undefined) {
    const v = validateWorkflowDef(body.workflowDef);
    if (!v.ok)
      throw new ValidationError(
        'workflowDef is invalid',
        v.problems.map((p) => ({ pointer: `/workflowDef${p.pointer}`, message: p.message })),
      );
    workflowDef = v.value;
  }
  const request: StartRequest = {
    name: body.name,
    ...(body.version !== undefined ? { version: body.version } : {}),
    input: body.input ?? {},
    correlationId: body.correlationId ?? null,
    priority: body.priority ?? 0,
    ...(workflowDef ? { workflowDef } : {}),
    foldable: true,
  };
  return {
    request: withIdempotency(request, body.idempotencyKey, body.idempotencyStrategy),
    warnings: workflowDef ? definitionWarnings(engine, [workflowDef]) : [],
  };
}
