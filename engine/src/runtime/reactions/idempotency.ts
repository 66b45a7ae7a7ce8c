import { ConflictError, ValidationError } from '../../errors';
import type { Engine, StartRequest } from '../engine';
import { idempotentWorkflowId } from './ids';

export const IdempotencyStrategy = { FAIL: 'FAIL', RETURN_EXISTING: 'RETURN_EXISTING' } as const;
export type IdempotencyStrategy = (typeof IdempotencyStrategy)[keyof typeof IdempotencyStrategy];

const MAX_KEY = 256;

/**
 * Idempotent start (StartWorkflowRequest.idempotencyKey, idempotencyStrategy): the key names one
 * run per workflow name, through an id derived from both (ids.ts), so the store's unique workflow
 * id makes "start unless it exists" one atomic write on every store, across engines. FAIL (the
 * default, as in Conductor) answers 409 naming the existing run; RETURN_EXISTING answers its id.
 * Conductor's FAIL_ON_RUNNING would need a second run under the same key once the first ended,
 * which a derived id cannot give: it is refused with a 400 that says so.
 */
export function withIdempotency(req: StartRequest, key: unknown, strategy: unknown, pointer = ''): StartRequest {
  if (key === undefined || key === null || key === '') {
    return req;
  }
  if (typeof key !== 'string' || key.length > MAX_KEY) {
    throw new ValidationError(`idempotencyKey must be a string of 1-${MAX_KEY} characters`, [
      { pointer: `${pointer}/idempotencyKey`, message: `must be 1-${MAX_KEY} characters` },
    ]);
  }
  const s = strategy === undefined || strategy === null || strategy === '' ? IdempotencyStrategy.FAIL : strategy;
  if (s !== IdempotencyStrategy.FAIL && s !== IdempotencyStrategy.RETURN_EXISTING) {
    const message =
      s === 'FAIL_ON_RUNNING'
        ? 'FAIL_ON_RUNNING is not supported: Baton keeps one run per idempotency key for good; use FAIL or RETURN_EXISTING'
        : 'must be FAIL or RETURN_EXISTING';
    throw new ValidationError(`idempotencyStrategy ${message}`, [{ pointer: `${pointer}/idempotencyStrategy`, message }]);
  }
  return {
    ...req,
    workflowId: idempotentWorkflowId(req.name, key),
    ifExists: s === IdempotencyStrategy.FAIL ? 'fail' : 'return',
    idempotencyKey: key,
  };
}

/** Starts a workflow; a FAIL conflict is answered 409 with the existing run's id in the message and in `workflowId`. */
export async function startIdempotent(engine: Engine, req: StartRequest): Promise<string> {
  try {
    return await engine.startWorkflow(req);
  } catch (err) {
    if (!(err instanceof ConflictError) || !req.idempotencyKey || !req.workflowId) throw err;
    const e = new ConflictError(
      `a workflow '${req.name}' with idempotencyKey '${req.idempotencyKey}' exists: ${req.workflowId} (idempotencyStrategy FAIL; RETURN_EXISTING answers its id)`,
    );
    e.problemFields = { workflowId: req.workflowId };
    throw e;
  }
}
