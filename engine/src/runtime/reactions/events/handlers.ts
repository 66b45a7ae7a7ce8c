import { ActionType, type EventAction, type EventHandlerRecord } from '../../../domain/reactions';
import type { JsonObject } from '../../../domain/records';
import { ValidationError, type FieldProblem } from '../../../errors';
import { MAX_EXPRESSION_CHARS } from '../scripts';

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;
const actionTypes = new Set<string>(Object.values(ActionType));
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Checks an event handler (Conductor's EventHandler) as `POST`/`PUT /api/event` receive it and
 * answers it with defaults (`active` true). Every problem is reported with its JSON pointer.
 * Baton's events live in its own store: `event` must be `conductor:<name>`. Conductor's
 * `appendArray` is refused: appending is not idempotent, and an event must act once.
 */
export function eventHandlerOf(body: unknown): EventHandlerRecord {
  const problems: FieldProblem[] = [];
  if (!isObject(body)) throw new ValidationError('an event handler must be a JSON object', [{ pointer: '', message: 'must be an object' }]);
  const { name, event, condition, evaluatorType, actions, active } = body;
  if (typeof name !== 'string' || !NAME.test(name))
    problems.push({ pointer: '/name', message: 'is required: 1-200 letters, digits, dots, colons, dashes or underscores' });
  if (typeof event !== 'string' || !/^conductor:.+$/.test(event.trim())) {
    problems.push({
      pointer: '/event',
      message: 'must be "conductor:<event name>" (Baton keeps its events in its own store; it has no external queues)',
    });
  }
  if (condition !== undefined && condition !== null && (typeof condition !== 'string' || condition.length > MAX_EXPRESSION_CHARS)) {
    problems.push({
      pointer: '/condition',
      message: `must be a JavaScript expression over $ (the event's data) of at most ${MAX_EXPRESSION_CHARS} characters`,
    });
  }
  if (evaluatorType !== undefined && evaluatorType !== null && evaluatorType !== 'javascript' && evaluatorType !== 'graaljs') {
    problems.push({ pointer: '/evaluatorType', message: 'must be javascript or graaljs (both run in the script sandbox)' });
  }
  if (active !== undefined && active !== null && typeof active !== 'boolean')
    problems.push({ pointer: '/active', message: 'must be a boolean' });
  if (!Array.isArray(actions) || actions.length === 0) problems.push({ pointer: '/actions', message: 'must have at least 1 item' });
  else if (actions.length > 100) problems.push({ pointer: '/actions', message: 'must have at most 100 items' });
  else actions.forEach((a: unknown, i) => problems.push(...actionProblems(a, `/actions/${i}`)));
  if (problems.length)
    throw new ValidationError(`event handler is invalid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`, problems);
  return {
    name: name as string,
    event: (event as string).trim(),
    ...(typeof condition === 'string' && condition.trim() !== '' ? { condition } : {}),
    ...(typeof evaluatorType === 'string' ? { evaluatorType } : {}),
    actions: actions as EventAction[],
    active: active !== false,
  };
}

function actionProblems(a: unknown, at: string): FieldProblem[] {
  if (!isObject(a)) return [{ pointer: at, message: 'must be an object' }];
  const kind = a.action;
  if (typeof kind !== 'string' || !actionTypes.has(kind))
    return [{ pointer: `${at}/action`, message: `must be one of ${[...actionTypes].join(', ')}` }];
  const params = a[kind];
  if (!isObject(params)) return [{ pointer: `${at}/${kind}`, message: `is required for action ${kind}` }];
  const p = `${at}/${kind}`;
  const out: FieldProblem[] = [];
  if (a.expandInlineJSON !== undefined && typeof a.expandInlineJSON !== 'boolean')
    out.push({ pointer: `${at}/expandInlineJSON`, message: 'must be a boolean' });
  switch (kind) {
    case ActionType.START_WORKFLOW:
      if (blank(params.name) || typeof params.name !== 'string')
        out.push({ pointer: `${p}/name`, message: 'is required: the workflow to start' });
      if (params.input !== undefined && !isObject(params.input) && typeof params.input !== 'string')
        out.push({ pointer: `${p}/input`, message: 'must be an object' });
      if (
        params.version !== undefined &&
        params.version !== null &&
        !(Number.isInteger(params.version) && (params.version as number) >= 1)
      ) {
        out.push({ pointer: `${p}/version`, message: 'must be a positive integer' });
      }
      if (
        params.idempotencyStrategy !== undefined &&
        params.idempotencyStrategy !== 'FAIL' &&
        params.idempotencyStrategy !== 'RETURN_EXISTING'
      ) {
        out.push({ pointer: `${p}/idempotencyStrategy`, message: 'must be FAIL or RETURN_EXISTING' });
      }
      break;
    case ActionType.COMPLETE_TASK:
    case ActionType.FAIL_TASK:
      if (blank(params.taskId) && (blank(params.workflowId) || blank(params.taskRefName))) {
        out.push({ pointer: `${p}/taskRefName`, message: 'workflowId and taskRefName (or taskId) are required' });
      }
      if (params.output !== undefined && !isObject(params.output) && typeof params.output !== 'string')
        out.push({ pointer: `${p}/output`, message: 'must be an object' });
      break;
    case ActionType.TERMINATE_WORKFLOW:
      if (blank(params.workflowId)) out.push({ pointer: `${p}/workflowId`, message: 'is required' });
      break;
    case ActionType.UPDATE_WORKFLOW_VARIABLES:
      if (blank(params.workflowId)) out.push({ pointer: `${p}/workflowId`, message: 'is required' });
      if (!isObject(params.variables) && typeof params.variables !== 'string')
        out.push({ pointer: `${p}/variables`, message: 'is required: an object' });
      if (params.appendArray === true) {
        out.push({
          pointer: `${p}/appendArray`,
          message: 'is not supported: appending is not idempotent, and Baton acts on each event exactly once',
        });
      }
      break;
  }
  return out;
}
