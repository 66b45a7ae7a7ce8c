import { RetryFailedTasksRequest } from '@baton/protocol';
import { Router } from 'express';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { NotFoundError, ValidationError } from '../../errors';
import { completeByRef } from '../../runtime/complete-by-ref';
import type { Engine } from '../../runtime/engine';
import { pollDataOf } from '../../runtime/poll-data';
import { refuseEnginePoll } from '../../runtime/system-tasks/engine-queues';
import { pollTaskJson, taskJson } from '../serialize';
import { reportOrIgnoreStale } from '../stale-report';
import { taskResultOf } from '../task-result';
import { check, compile } from '../validate';
import { intParam, stringListParam, stringParam } from './params';

const validateRetryFailed = compile<RetryFailedTasksRequest>(RetryFailedTasksRequest);

/** Conductor's task API: long-poll claims, reports, queue sizes. */
export function taskRoutes(engine: Engine): Router {
  const r = Router();

  const leaseSeconds = (t: TaskRecord): number => {
    const def = engine.taskDefs.get(t.taskDefName);
    return def?.responseTimeoutSeconds ?? engine.options.defaultResponseTimeoutMs / 1000;
  };

  r.get('/poll/batch/:taskType', async (req, res) => {
    refuseEnginePoll(req.params.taskType);
    const ac = abortOnClose(req, res);
    pollDataOf(engine).record(req.params.taskType, stringParam(req, 'workerid') ?? 'unknown', stringParam(req, 'domain') ?? null);
    const tasks = await engine.poll(
      req.params.taskType,
      stringParam(req, 'workerid') ?? 'unknown',
      intParam(req, 'count', 1, 1, engine.options.maxPollCount),
      intParam(req, 'timeout', 100, 0, engine.options.maxPollTimeoutMs),
      ac.signal,
    );
    await giveBackIfGone(engine, res, tasks);
    res.json(tasks.map((t) => pollTaskJson(t, leaseSeconds(t))));
  });

  r.get('/poll/:taskType', async (req, res) => {
    refuseEnginePoll(req.params.taskType);
    const ac = abortOnClose(req, res);
    pollDataOf(engine).record(req.params.taskType, stringParam(req, 'workerid') ?? 'unknown', stringParam(req, 'domain') ?? null);
    const tasks = await engine.poll(
      req.params.taskType,
      stringParam(req, 'workerid') ?? 'unknown',
      1,
      intParam(req, 'timeout', 0, 0, engine.options.maxPollTimeoutMs),
      ac.signal,
    );
    await giveBackIfGone(engine, res, tasks);
    const t = tasks[0];
    if (!t) res.status(204).end();
    else res.json(pollTaskJson(t, leaseSeconds(t)));
  });

  r.post('/', async (req, res) => {
    const result = taskResultOf(engine, req);
    await reportOrIgnoreStale(engine, result, res);
    res.status(200).type('text/plain').send(result.taskId);
  });

  // Conductor: complete a step's open task by its reference name (WAIT, HUMAN...); body = output; answers the taskId.
  r.post('/:workflowId/:taskRefName/:status', async (req, res) => {
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
    const taskId = await completeByRef(engine, req.params.workflowId, req.params.taskRefName, status, output, reason);
    res.status(200).type('text/plain').send(taskId);
  });

  r.get('/queue/sizes', async (req, res) => {
    res.json(await engine.queueSizes(stringListParam(req, 'taskType')));
  });

  // Baton: poison tasks, the attempts after which their step gave up, newest first.
  r.get('/failed', async (req, res) => {
    const tasks = await engine.store.failedTasks(stringParam(req, 'taskType') ?? null, intParam(req, 'limit', 100, 1, 1000));
    res.json(tasks.map(taskJson));
  });

  // Baton: after a fix, retry the failed step of every FAILED (or TIMED_OUT) workflow that gave up on this type.
  r.post('/failed/retry', async (req, res) => {
    const b = check(validateRetryFailed, req.body ?? {}, 'retry request');
    res.json(await engine.retryFailedTasks(b.taskType, b.workflowIds));
  });

  r.get('/:taskId', async (req, res) => {
    const t = await engine.store.getTask(req.params.taskId);
    if (!t) throw new NotFoundError(`task '${req.params.taskId}' not found`);
    res.json(taskJson(t));
  });

  return r;
}

function abortOnClose(req: import('express').Request, res: import('express').Response): AbortController {
  const ac = new AbortController();
  // The socket closing before we answered means the worker gave up this poll.
  res.on('close', () => {
    if (!res.writableEnded) ac.abort();
  });
  void req;
  return ac;
}

/**
 * A worker that disconnected during its long poll cannot receive what we claimed for it. Those
 * attempts would otherwise wait out a whole lease; their claims are undone at once instead.
 */
async function giveBackIfGone(engine: Engine, res: import('express').Response, tasks: TaskRecord[]): Promise<void> {
  if (tasks.length === 0 || !res.destroyed) return;
  for (const t of tasks) await engine.flow.release(t, engine.clock.now());
}
