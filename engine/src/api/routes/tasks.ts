import { Router } from 'express';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { ReportableStatus } from '../../domain/status';
import { NotFoundError } from '../../errors';
import type { Engine, TaskResultInput } from '../../runtime/engine';
import { pollTaskJson, taskJson } from '../serialize';
import { check, compile } from '../validate';
import { intParam, stringListParam, stringParam } from './params';

interface TaskResultBody {
  taskId: string;
  workflowInstanceId?: string;
  workerId?: string | null;
  attemptToken?: string | null;
  status: ReportableStatus;
  outputData?: JsonObject | null;
  reasonForIncompletion?: string | null;
  callbackAfterSeconds?: number | null;
  extendLease?: boolean;
  logs?: Array<{ log: string; createdTime?: number }> | null;
}

const validateResult = compile<TaskResultBody>({
  type: 'object',
  required: ['taskId', 'status'],
  properties: {
    taskId: { type: 'string', minLength: 1 },
    workflowInstanceId: { type: 'string' },
    workerId: { type: ['string', 'null'] },
    attemptToken: { type: ['string', 'null'] },
    status: { enum: Object.values(ReportableStatus) },
    outputData: { type: ['object', 'null'] },
    reasonForIncompletion: { type: ['string', 'null'] },
    callbackAfterSeconds: { type: ['integer', 'null'], minimum: 0 },
    extendLease: { type: 'boolean' },
    logs: {
      type: ['array', 'null'],
      items: { type: 'object', required: ['log'], properties: { log: { type: 'string' }, createdTime: { type: 'integer' } } },
    },
  },
});

/** Conductor's task API: long-poll claims, reports, queue sizes. */
export function taskRoutes(engine: Engine): Router {
  const r = Router();

  const leaseSeconds = (t: TaskRecord): number => {
    const def = engine.taskDefs.get(t.taskDefName);
    return def?.responseTimeoutSeconds ?? engine.options.defaultResponseTimeoutMs / 1000;
  };

  r.get('/poll/batch/:taskType', async (req, res) => {
    const ac = abortOnClose(req, res);
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
    const ac = abortOnClose(req, res);
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
    const b = check(validateResult, req.body ?? {}, 'TaskResult');
    const result: TaskResultInput = {
      taskId: b.taskId,
      ...(b.workflowInstanceId ? { workflowInstanceId: b.workflowInstanceId } : {}),
      workerId: b.workerId ?? null,
      attemptToken: b.attemptToken ?? null,
      status: b.status,
      outputData: b.outputData ?? {},
      reasonForIncompletion: b.reasonForIncompletion ?? null,
      callbackAfterSeconds: b.callbackAfterSeconds ?? 0,
      extendLease: b.extendLease ?? false,
      logs: (b.logs ?? []).map((l) => ({ log: l.log, createdTime: l.createdTime ?? engine.clock.now() })),
    };
    await engine.report(result);
    res.status(200).type('text/plain').send(b.taskId);
  });

  r.get('/queue/sizes', async (req, res) => {
    res.json(await engine.queueSizes(stringListParam(req, 'taskType')));
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
 * attempts would otherwise wait out a whole lease; their leases lapse at once instead.
 */
async function giveBackIfGone(engine: Engine, res: import('express').Response, tasks: TaskRecord[]): Promise<void> {
  if (tasks.length === 0 || !res.destroyed) return;
  for (const t of tasks) {
    await engine.store.progressAttempt({
      taskId: t.taskId,
      attemptToken: t.attemptToken,
      workerId: t.workerId,
      outputData: {},
      logs: [],
      callbackAfterMs: 1,
      leaseMs: 0,
      now: engine.clock.now(),
    });
  }
}
