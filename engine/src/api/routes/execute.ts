import { externalPathOf } from '../../payloads/external';
import type { WorkflowRun } from '@baton/protocol';
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { executeWorkflow } from '../../runtime/execute';
import { sendWarnings } from '../definition-warnings';
import { taskJson } from '../serialize';
import { bodyOf } from './metadata';
import { intParam, stringListParam, stringParam } from './params';
import { startRequestOf } from './workflow';

/** Longest wait of one execute call; Conductor's default is 10 s. */
export const MAX_EXECUTE_WAIT_SECONDS = 600;

/**
 * Conductor's `POST /workflow/execute/{name}/{version}` (every SDK's quickstart uses it): starts the
 * workflow and answers when it ends, when it reaches `waitUntilTaskRef` (one or several, comma
 * separated) or after `waitForSeconds`, with a WorkflowRun (runtime/execute.ts). `requestId` is
 * echoed. The body is a StartWorkflowRequest whose name and version the path overrides.
 */
export function executeRoutes(engine: Engine): Router {
  const r = Router();
  r.post('/execute/:name/:version', async (req, res) => {
    const version = Number(req.params.version);
    if (!Number.isInteger(version) || version < 1) {
      throw new ValidationError(`path parameter 'version' must be a positive integer, got '${req.params.version}'`, [
        { pointer: '/path/version', message: 'must be a positive integer' },
      ]);
    }
    // The path names the workflow; a body (JSON or YAML) may leave the name out.
    const body: unknown = req.body === undefined || req.body === null ? {} : bodyOf(req);
    req.body =
      body !== null && typeof body === 'object' && !Array.isArray(body) && !('name' in body) ? { ...body, name: req.params.name } : body;
    const { request, warnings } = startRequestOf(engine, req);
    sendWarnings(res, engine.log, warnings);
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) ac.abort();
    });
    const requestId = stringParam(req, 'requestId') || randomUUID();
    const out = await executeWorkflow(
      engine,
      { ...request, name: req.params.name, version },
      {
        untilTaskRefs: stringListParam(req, 'waitUntilTaskRef')
          .map((s) => s.trim())
          .filter(Boolean),
        waitMs: intParam(req, 'waitForSeconds', 10, 0, MAX_EXECUTE_WAIT_SECONDS) * 1000,
        recheckMs: engine.options.pollRecheckMs,
        signal: ac.signal,
      },
    );
    const wf = out.workflow;
    const run: WorkflowRun = {
      workflowId: wf.workflowId,
      requestId,
      ...(wf.correlationId ? { correlationId: wf.correlationId } : {}),
      status: wf.status,
      input: wf.input,
      // An output in the payload store: its path, as GET /api/workflow/{id} shows it (docs/payloads.md).
      output: externalPathOf(wf.output) ? {} : wf.output,
      ...(externalPathOf(wf.output) ? { externalOutputPayloadStoragePath: externalPathOf(wf.output) } : {}),
      variables: wf.variables,
      priority: wf.priority,
      createTime: wf.createTime,
      updateTime: wf.updateTime,
      tasks: out.tasks.map(taskJson) as WorkflowRun['tasks'],
      responseType: 'TARGET_WORKFLOW',
      targetWorkflowId: wf.workflowId,
      targetWorkflowStatus: wf.status,
      signalTimeout: out.timedOut,
    };
    res.json(run);
  });
  return r;
}
