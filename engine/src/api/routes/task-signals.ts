import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { JsonObject } from '../../domain/records';
import { ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { signalBlockedTask, waitUntilBlocked } from '../../runtime/reactions/task-signal';
import { taskJson, workflowJson } from '../serialize';
import { bodyOf } from './metadata';
import { intParam, stringParam } from './params';

const STRATEGIES = ['TARGET_WORKFLOW', 'BLOCKING_WORKFLOW', 'BLOCKING_TASK', 'BLOCKING_TASK_INPUT'] as const;
type Strategy = (typeof STRATEGIES)[number];
const MAX_WAIT_MS = 600_000;

/**
 * Conductor's signal to a workflow's blocked task (`POST /api/tasks/{workflowId}/{status}/signal`
 * and `/sync`): the first open WAIT task ends with the status and the body as output
 * (runtime/reactions/task-signal.ts). The synchronous form then waits until the workflow blocks
 * again or ends, at most `timeoutMillis`, and answers per `returnStrategy`. Mounted before
 * tasks.ts, whose `/{workflowId}/{taskRefName}/{status}` would take these paths.
 */
export function taskSignalRoutes(engine: Engine): Router {
  const r = Router();

  r.post('/:workflowId/:status/signal', async (req, res) => {
    await signalBlockedTask(
      engine,
      req.params.workflowId,
      statusOf(req.params.status),
      outputOf(typeof req.body === 'string' ? bodyOf(req) : req.body),
    );
    res.status(200).end();
  });

  r.post('/:workflowId/:status/signal/sync', async (req, res) => {
    const strategy = (stringParam(req, 'returnStrategy') ?? 'TARGET_WORKFLOW') as Strategy;
    if (!STRATEGIES.includes(strategy)) {
      throw new ValidationError(`returnStrategy must be one of ${STRATEGIES.join(', ')}`, [
        { pointer: '/query/returnStrategy', message: `must be one of ${STRATEGIES.join(', ')}` },
      ]);
    }
    const timeoutMs = intParam(req, 'timeoutMillis', 5000, 0, MAX_WAIT_MS);
    const blocked = await signalBlockedTask(
      engine,
      req.params.workflowId,
      statusOf(req.params.status),
      outputOf(typeof req.body === 'string' ? bodyOf(req) : req.body),
    );
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) ac.abort();
    });
    const out = await waitUntilBlocked(
      engine,
      req.params.workflowId,
      blocked.task,
      timeoutMs,
      Math.min(engine.options.pollRecheckMs, 500),
      ac.signal,
    );
    const base = {
      responseType: strategy,
      targetWorkflowId: out.target.workflowId,
      targetWorkflowStatus: out.target.status,
      requestId: stringParam(req, 'requestId') ?? randomUUID(),
      signalTimeout: out.timedOut,
    };
    if ((strategy === 'BLOCKING_TASK' || strategy === 'BLOCKING_TASK_INPUT') && out.blocking) {
      const t = out.blocking.task;
      res.json(
        strategy === 'BLOCKING_TASK'
          ? { ...taskJson(t), ...base }
          : { ...base, workflowId: t.workflowInstanceId, taskId: t.taskId, input: t.inputData },
      );
      return;
    }
    const wf = strategy === 'BLOCKING_WORKFLOW' && out.blocking ? out.blocking.workflow : out.target;
    res.json({ ...workflowJson(wf, await engine.store.getTasks(wf.workflowId)), ...base });
  });

  return r;
}

function statusOf(status: string): 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR' {
  if (status === 'COMPLETED' || status === 'FAILED' || status === 'FAILED_WITH_TERMINAL_ERROR') return status;
  throw new ValidationError(`status must be COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR, got '${status}'`, [
    { pointer: '/status', message: 'must be COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR' },
  ]);
}

function outputOf(body: unknown): JsonObject {
  const b: unknown = body ?? {};
  if (b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw new ValidationError('the body must be a JSON object (the task output)', [{ pointer: '', message: 'must be an object' }]);
  }
  return b as JsonObject;
}
