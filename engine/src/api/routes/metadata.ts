import { Router, type Request } from 'express';
import {
  INT32_MAX,
  parseDocument,
  validateTaskDef,
  validateTaskDefs,
  validateWorkflowDef,
  type Validation,
  type WorkflowDef,
} from '@baton/definitions';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { principalOf } from '../access/principal';
import { definitionWarnings, sendWarnings } from '../definition-warnings';
import { intParam } from './params';

/** Conductor's metadata API: task and workflow definitions, as JSON or YAML bodies. */
export function metadataRoutes(engine: Engine): Router {
  const r = Router();
  const store = engine.store;

  r.get('/taskdefs', async (_req, res) => {
    res.json(await store.listTaskDefs());
  });
  r.get('/taskdefs/:name', async (req, res) => {
    const def = await store.getTaskDef(req.params.name);
    if (!def) throw new NotFoundError(`task definition '${req.params.name}' not found`);
    res.json(def);
  });
  // Baton: who changed a policy, when, from what to what.
  r.get('/taskdefs/:name/changes', async (req, res) => {
    res.json(await store.taskDefChanges(req.params.name, intParam(req, 'limit', 100, 1, 1000)));
  });
  r.post('/taskdefs', async (req, res) => {
    const body = bodyOf(req);
    const defs = accept(validateTaskDefs(Array.isArray(body) ? body : [body]), 'task definitions');
    await engine.putTaskDefs(defs, changedBy(req));
    res.status(200).json(defs);
  });
  r.put('/taskdefs', async (req, res) => {
    const def = accept(validateTaskDef(bodyOf(req)), 'task definition');
    await engine.putTaskDefs([def], changedBy(req));
    res.status(200).json(def);
  });
  r.delete('/taskdefs/:name', async (req, res) => {
    await engine.deleteTaskDef(req.params.name, changedBy(req));
    res.status(200).end();
  });

  r.get('/workflow', async (_req, res) => {
    res.json(await store.listWorkflowDefs());
  });
  r.get('/workflow/:name', async (req, res) => {
    const version = req.query.version === undefined ? undefined : intParam(req, 'version', 1, 1, INT32_MAX);
    const def = await store.getWorkflowDef(req.params.name, version);
    if (!def) throw new NotFoundError(`workflow definition '${req.params.name}'${version ? ` version ${version}` : ''} not found`);
    res.json(def);
  });
  r.post('/workflow', async (req, res) => {
    const def = accept(await validateWorkflow(engine, bodyOf(req)), 'workflow definition');
    if (!(await store.putWorkflowDef(def, false))) {
      throw new ConflictError(
        `workflow definition '${def.name}' version ${def.version} exists; use PUT to overwrite or register a new version`,
      );
    }
    sendWarnings(res, engine.log, definitionWarnings(engine, [def]));
    res.status(200).json(def);
  });
  r.put('/workflow', async (req, res) => {
    const body = bodyOf(req);
    const list = Array.isArray(body) ? body : [body];
    const defs = [];
    const problems = [];
    for (const [i, item] of list.entries()) {
      const v = await validateWorkflow(engine, item);
      if (v.ok) defs.push(v.value);
      else problems.push(...v.problems.map((p) => ({ pointer: `/${i}${p.pointer}`, message: p.message })));
    }
    if (problems.length) throw invalid('workflow definitions', problems);
    for (const d of defs) await store.putWorkflowDef(d, true);
    sendWarnings(res, engine.log, definitionWarnings(engine, defs));
    res.status(200).json(defs);
  });
  r.delete('/workflow/:name/:version', async (req, res) => {
    const version = Number(req.params.version);
    if (!Number.isInteger(version) || version < 1 || version > INT32_MAX) {
      throw invalid('path', [{ pointer: '/version', message: `must be an integer from 1 to ${INT32_MAX}` }]);
    }
    if (!(await store.deleteWorkflowDef(req.params.name, version))) {
      throw new NotFoundError(`workflow definition '${req.params.name}' version ${version} not found`);
    }
    res.status(200).end();
  });
  return r;
}

/**
 * The definitions package's checks, then the engine's limits (steps, retries: docs/limits.md).
 * Unregistered task definitions are not refused (Conductor runs them with defaults): see definition-warnings.ts.
 */
async function validateWorkflow(engine: Engine, body: unknown): Promise<Validation<WorkflowDef>> {
  await engine.taskDefs.reload(engine.clock.now());
  const v = validateWorkflowDef(body);
  if (!v.ok) return v;
  const problems = engine.definitionProblems(v.value);
  return problems.length ? { ok: false, problems } : v;
}

/** JSON bodies arrive parsed; YAML bodies arrive as text and are parsed here. */
export function bodyOf(req: Request): unknown {
  if (typeof req.body === 'string') return accept(parseDocument(req.body, req.headers['content-type']), 'request body');
  if (req.body === undefined) throw invalid('request body', [{ pointer: '', message: 'a JSON or YAML body is required' }]);
  return req.body;
}

function accept<T>(v: Validation<T>, what: string): T {
  if (v.ok) return v.value;
  throw invalid(what, v.problems);
}

function invalid(what: string, problems: Array<{ pointer: string; message: string }>): ValidationError {
  const summary = problems
    .slice(0, 5)
    .map((p) => `${p.pointer || '/'} ${p.message}`)
    .join('; ');
  return new ValidationError(`${what} rejected (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${summary}`, problems);
}

/** The authenticated key; without authentication, whoever the request claims to be (unverified). */
function changedBy(req: Request): string {
  const key = principalOf(req);
  if (key) return key.keyId;
  const who = req.header('x-baton-user') ?? req.header('x-user');
  return who ? who.slice(0, 200) : `anonymous@${req.ip ?? 'unknown'}`;
}
