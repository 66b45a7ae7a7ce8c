import { WorkflowSchedule, type WorkflowSchedule as ScheduleBody } from '@baton/protocol';
import { Router, type Request } from 'express';
import { NotFoundError, ValidationError } from '../../errors';
import type { Engine } from '../../runtime/engine';
import { compileCron, CronError, nextFew } from '../../runtime/reactions/schedules/cron';
import type { ScheduleInput } from '../../runtime/reactions/schedules/model';
import { QuerySyntaxError, parseQuery, type Expr, type FieldResolver } from '../../search/query';
import { principalOf } from '../access/principal';
import { check, compile } from '../validate';
import { bodyOf } from './metadata';
import { boolParam, intParam, stringParam } from './params';

const validateSchedule = compile<ScheduleBody>(WorkflowSchedule);
const validateNames = compile<string[]>({ type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 });
const MAX_PAGE = 1000;

/**
 * Conductor's scheduler API (`/api/scheduler`): schedules (create or update, read, list, search,
 * delete, pause, resume, in bulk), the next due times of a cron expression, and the search of
 * executions. Firing is the sweeper's (runtime/reactions/schedules/scheduler.ts).
 */
export function schedulerRoutes(engine: Engine): Router {
  const r = Router();
  const scheduler = engine.reactions.scheduler;
  const { store } = engine;

  r.post('/schedules', async (req, res) => {
    const body = check(validateSchedule, bodyOf(req), 'WorkflowSchedule');
    res.json(await scheduler.put(body as ScheduleInput, userOf(req)));
  });

  r.get('/schedules', async (req, res) => {
    res.json(await store.listSchedules(stringParam(req, 'workflowName') ?? null));
  });

  // Conductor's search over schedules: equality filters, a free text over names and description, a page.
  r.get('/schedules/search', async (req, res) => {
    const workflowName = stringParam(req, 'workflowName');
    const scheduleName = stringParam(req, 'scheduleName');
    const paused = req.query.paused === undefined ? undefined : boolParam(req, 'paused');
    const text = (stringParam(req, 'freeText') ?? '*').trim();
    const start = intParam(req, 'start', 0, 0, 1_000_000);
    const size = intParam(req, 'size', 100, 0, MAX_PAGE);
    const desc = /:DESC$/i.test(stringParam(req, 'sort') ?? '');
    const all = (await store.listSchedules(workflowName ?? null)).filter(
      (s) =>
        (scheduleName === undefined || s.name === scheduleName) &&
        (paused === undefined || s.paused === paused) &&
        (text === '*' ||
          text === '' ||
          `${s.name} ${s.description ?? ''} ${s.startWorkflowRequest.name}`.toLowerCase().includes(text.replace(/\*$/, '').toLowerCase())),
    );
    if (desc) all.reverse();
    res.json({ totalHits: all.length, results: all.slice(start, start + size) });
  });

  r.get('/schedules/:name', async (req, res) => {
    res.json(await scheduler.get(req.params.name));
  });

  r.delete('/schedules/:name', async (req, res) => {
    if (!(await store.deleteSchedule(req.params.name))) throw new NotFoundError(`schedule '${req.params.name}' not found`);
    res.status(200).end();
  });

  r.put('/schedules/:name/pause', async (req, res) => {
    await scheduler.setPaused(req.params.name, true, stringParam(req, 'reason') ?? null);
    res.status(200).end();
  });

  r.put('/schedules/:name/resume', async (req, res) => {
    await scheduler.setPaused(req.params.name, false, null);
    res.status(200).end();
  });

  r.put('/bulk/pause', async (req, res) => {
    const names = check(validateNames, bodyOf(req), 'list of schedule names');
    res.json(await bulk(names, (n) => scheduler.setPaused(n, true, stringParam(req, 'reason') ?? null)));
  });

  r.put('/bulk/resume', async (req, res) => {
    const names = check(validateNames, bodyOf(req), 'list of schedule names');
    res.json(await bulk(names, (n) => scheduler.setPaused(n, false, null)));
  });

  r.get('/nextFewSchedules', async (req, res) => {
    const expression = stringParam(req, 'cronExpression');
    if (!expression)
      throw new ValidationError("query parameter 'cronExpression' is required", [
        { pointer: '/query/cronExpression', message: 'is required' },
      ]);
    const zoneId = stringParam(req, 'zoneId') || 'UTC';
    const start = intParam(req, 'scheduleStartTime', engine.clock.now(), 0, 8.64e15);
    const end = intParam(req, 'scheduleEndTime', 0, 0, 8.64e15);
    const limit = intParam(req, 'limit', 5, 1, 1000);
    let cron;
    try {
      cron = compileCron(expression, zoneId);
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      const pointer = /time zone/.test(err.message) ? '/query/zoneId' : '/query/cronExpression';
      throw new ValidationError(err.message, [{ pointer, message: err.message }]);
    }
    res.json(nextFew(cron, start, limit, end || undefined));
  });

  r.get('/search/executions', async (req, res) => {
    const filter = executionFilterOf(stringParam(req, 'query') ?? '');
    const sort = stringParam(req, 'sort') ?? '';
    res.json(
      await store.searchScheduleExecutions({
        ...filter,
        start: intParam(req, 'start', 0, 0, 1_000_000),
        size: intParam(req, 'size', 100, 0, MAX_PAGE),
        desc: !/:ASC$/i.test(sort),
      }),
    );
  });

  return r;
}

async function bulk(
  names: string[],
  op: (name: string) => Promise<void>,
): Promise<{ bulkSuccessfulResults: string[]; bulkErrorResults: Record<string, string> }> {
  const bulkSuccessfulResults: string[] = [];
  const bulkErrorResults: Record<string, string> = {};
  for (const n of new Set(names)) {
    try {
      await op(n);
      bulkSuccessfulResults.push(n);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      bulkErrorResults[n] = err.message;
    }
  }
  return { bulkSuccessfulResults, bulkErrorResults };
}

function userOf(req: Request): string {
  const p = principalOf(req);
  if (p) return p.keyId;
  const claimed = req.headers['x-baton-user'];
  return typeof claimed === 'string' && claimed ? claimed : `anonymous@${req.ip ?? 'unknown'}`;
}

const executionFields: Record<string, { field: string; numeric: boolean }> = {
  scheduleName: { field: 'scheduleName', numeric: false },
  workflowName: { field: 'workflowName', numeric: false },
  workflowType: { field: 'workflowName', numeric: false },
  state: { field: 'state', numeric: false },
  status: { field: 'state', numeric: false },
  scheduledTime: { field: 'scheduledTime', numeric: true },
};

const resolver: FieldResolver = {
  resolve(name) {
    const f = executionFields[name];
    if (!f) return `unknown field '${name}' (executions are searched by ${Object.keys(executionFields).join(', ')})`;
    return {
      field: f.field,
      convert: (raw: string) => {
        if (!f.numeric) return raw;
        const n = Number(raw);
        if (!Number.isFinite(n)) throw new Error(`'${raw}' is not a number`);
        return n;
      },
    };
  },
};

/**
 * Conductor's query language over executions, as far as the store's filter goes: clauses joined
 * by AND, each an equality or IN over scheduleName, workflowName or state, or a bound on
 * scheduledTime. Anything else is a 400 that says what is supported.
 */
function executionFilterOf(query: string): {
  scheduleNames?: string[];
  workflowNames?: string[];
  states?: string[];
  from?: number;
  to?: number;
} {
  let expr: Expr | null;
  try {
    expr = parseQuery(query, resolver);
  } catch (err) {
    const message = err instanceof QuerySyntaxError || err instanceof Error ? err.message : String(err);
    throw new ValidationError(`query parameter 'query' is invalid: ${message}`, [{ pointer: '/query/query', message }]);
  }
  const out: { scheduleNames?: string[]; workflowNames?: string[]; states?: string[]; from?: number; to?: number } = {};
  const clauses = expr === null ? [] : expr.kind === 'and' ? expr.items : [expr];
  const unsupported = (): never => {
    const message =
      'executions are filtered by `field = v` or `field IN (...)` on scheduleName, workflowName, state, and `scheduledTime >, >=, <, <= n`, joined by AND';
    throw new ValidationError(`query parameter 'query' is not supported: ${message}`, [{ pointer: '/query/query', message }]);
  };
  const list = { scheduleName: 'scheduleNames', workflowName: 'workflowNames', state: 'states' } as const;
  for (const c of clauses) {
    if (c.kind === 'cmp' && c.field === 'scheduledTime' && typeof c.value === 'number') {
      if (c.op === '>' || c.op === '>=') out.from = c.op === '>' ? c.value + 1 : c.value;
      else if (c.op === '<' || c.op === '<=') out.to = c.op === '<' ? c.value - 1 : c.value;
      else unsupported();
    } else if (c.kind === 'cmp' && c.op === '=' && c.field in list) {
      out[list[c.field as keyof typeof list]] = [String(c.value)];
    } else if (c.kind === 'in' && !c.negate && c.field in list) {
      out[list[c.field as keyof typeof list]] = c.values.map(String);
    } else unsupported();
  }
  return out;
}
