import express, { Router } from 'express';
import type { JsonObject } from '../../domain/records';
import { NotFoundError, ValidationError } from '../../errors';
import { completeByRef } from '../../runtime/complete-by-ref';
import type { Engine } from '../../runtime/engine';
import { pollDataOf } from '../../runtime/poll-data';
import { pollTaskJson, workflowJson } from '../serialize';
import { reportOrIgnoreStale } from '../stale-report';
import { taskResultOf } from '../task-result';
import { stringParam } from './params';

/** Longest log line `POST /tasks/{taskId}/log` accepts. */
const MAX_LOG_CHARS = 32_768;
/** Log lines `GET /tasks/{taskId}/log` answers, at most. */
const MAX_LOG_LINES = 10_000;

/**
 * Conductor's task routes beyond poll and report (tasks.ts): report-and-poll (`update-v2`), task
 * logs, poll data, the depth of every queue, and completion by reference name that answers the
 * workflow. Mounted before tasks.ts's routes.
 */
export function taskExtraRoutes(engine: Engine): Router {
  const r = Router();

  /**
   * Reports a result and hands the same worker the next task of the same type, if one is waiting:
   * one round trip per step instead of two. Answers the task, or `null` when there is none (an
   * empty body would read as a task without fields to some SDKs).
   */
  r.post('/update-v2', async (req, res) => {
    const result = taskResultOf(engine, req);
    await reportOrIgnoreStale(engine, result, res);
    const done = await engine.store.getTask(result.taskId);
    if (!done || result.workerId === null || result.status === 'IN_PROGRESS') {
      res.json(null);
      return;
    }
    pollDataOf(engine).record(done.taskType, result.workerId, null);
    const [next] = await engine.poll(done.taskType, result.workerId, 1, 0);
    if (!next) {
      res.json(null);
      return;
    }
    const def = engine.taskDefs.get(next.taskDefName);
    res.json(pollTaskJson(next, def?.responseTimeoutSeconds ?? engine.options.defaultResponseTimeoutMs / 1000));
  });

  // A log line: Conductor's clients send it as a JSON string; plain text is taken as it is.
  r.post('/:taskId/log', express.text({ type: ['text/plain'], limit: '64kb' }), async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'string' || body.length === 0) {
      throw new ValidationError('the body must be the log line: a JSON string or text/plain', [
        { pointer: '', message: 'must be a non-empty string' },
      ]);
    }
    if (body.length > MAX_LOG_CHARS)
      throw new ValidationError(`a log line holds at most ${MAX_LOG_CHARS} characters`, [
        { pointer: '', message: `is longer than ${MAX_LOG_CHARS} characters` },
      ]);
    const task = await engine.store.getTask(req.params.taskId);
    if (!task) throw new NotFoundError(`task '${req.params.taskId}' not found`);
    await engine.store.appendTaskLog({
      taskId: task.taskId,
      workflowId: task.workflowInstanceId,
      createdTime: engine.clock.now(),
      log: body,
    });
    res.status(200).end();
  });

  // Lines reported with results (TaskResult.logs) and lines added with POST, oldest first.
  r.get('/:taskId/log', async (req, res) => {
    const task = await engine.store.getTask(req.params.taskId);
    if (!task) throw new NotFoundError(`task '${req.params.taskId}' not found`);
    const added = await engine.store.taskLogs(task.taskId, MAX_LOG_LINES);
    const reported = task.logs.map((l) => ({ taskId: task.taskId, log: l.log, createdTime: l.createdTime }));
    res.json([...reported, ...added].sort((a, b) => a.createdTime - b.createdTime).slice(0, MAX_LOG_LINES));
  });

  r.get('/queue/polldata', async (req, res) => {
    const taskType = stringParam(req, 'taskType');
    if (!taskType)
      throw new ValidationError("query parameter 'taskType' is required", [{ pointer: '/query/taskType', message: 'is required' }]);
    res.json((await engine.store.pollData(taskType)).map(pollDataJson));
  });
  r.get('/queue/polldata/all', async (_req, res) => {
    res.json((await engine.store.pollData(null)).map(pollDataJson));
  });
  r.get('/queue/all', async (_req, res) => {
    res.json(await engine.store.queueDepths(engine.clock.now()));
  });

  // Completes a step's open task by reference name and answers the workflow after the decision.
  r.post('/:workflowId/:taskRefName/:status/sync', async (req, res) => {
    const status = req.params.status;
    if (status !== 'COMPLETED' && status !== 'FAILED' && status !== 'FAILED_WITH_TERMINAL_ERROR') {
      throw new ValidationError(`status must be COMPLETED, FAILED or FAILED_WITH_TERMINAL_ERROR, got '${status}'`, [
        { pointer: '/status', message: 'is not a terminal task status' },
      ]);
    }
    const body: unknown = req.body ?? {};
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ValidationError('the body must be a JSON object (the task output)', [{ pointer: '', message: 'must be an object' }]);
    }
    const output = body as JsonObject;
    const reason =
      status === 'COMPLETED'
        ? null
        : typeof output.reasonForIncompletion === 'string'
          ? output.reasonForIncompletion
          : `completed as ${status} over REST`;
    await completeByRef(engine, req.params.workflowId, req.params.taskRefName, status, output, reason);
    const wf = await engine.getWorkflow(req.params.workflowId);
    res.json(workflowJson(wf, await engine.store.getTasks(wf.workflowId)));
  });

  return r;
}

function pollDataJson(p: { queueName: string; workerId: string; domain: string | null; lastPollTime: number }): Record<string, unknown> {
  return { queueName: p.queueName, workerId: p.workerId, ...(p.domain ? { domain: p.domain } : {}), lastPollTime: p.lastPollTime };
}
