import type { JsonObject, TaskRecord, WorkflowRecord } from '../../domain/records';
import { TaskStatus, isTerminalWorkflow } from '../../domain/status';
import { ConflictError, NotFoundError } from '../../errors';
import type { Engine } from '../engine';

/** Steps that wait for the outside world: what "blocked" means to the synchronous signal. */
const blockingTypes: ReadonlySet<string> = new Set(['WAIT', 'HUMAN', 'WAIT_FOR_SIGNAL', 'WAIT_FOR_EVENT']);
/** Sub-workflows a blocked task is looked for in, nested. */
const MAX_NESTING = 8;

export interface Blocked {
  workflow: WorkflowRecord;
  task: TaskRecord;
}

/**
 * Conductor's `POST /api/tasks/{workflowId}/{status}/signal`: the workflow's blocked task is its
 * first open WAIT task (in order of scheduling), or, when it has none, one of a running
 * sub-workflow's, as Conductor does. It ends with the status and the body merged into its output,
 * through the report path (fenced: a WAIT completed twice is 409 the second time).
 */
export async function signalBlockedTask(
  engine: Engine,
  workflowId: string,
  status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR',
  output: JsonObject,
): Promise<Blocked> {
  const wf = await engine.getWorkflow(workflowId);
  if (isTerminalWorkflow(wf.status)) throw new ConflictError(`workflow '${workflowId}' is ${wf.status}: it has no blocked task`);
  const blocked = await findOpen(engine, wf, (t) => t.workflowTaskType === 'WAIT', 0);
  if (!blocked) throw new ConflictError(`workflow '${workflowId}' has no open WAIT task to signal (nor a running sub-workflow with one)`);
  const reason =
    status === 'COMPLETED'
      ? null
      : typeof output.reasonForIncompletion === 'string'
        ? output.reasonForIncompletion
        : `signalled as ${status} over REST`;
  await engine.report({
    taskId: blocked.task.taskId,
    workflowInstanceId: blocked.workflow.workflowId,
    workerId: null,
    attemptToken: null,
    status,
    outputData: { ...blocked.task.outputData, ...output },
    reasonForIncompletion: reason,
    callbackAfterSeconds: 0,
    extendLease: false,
    logs: [],
  });
  return blocked;
}

/**
 * The synchronous form: after the signal, waits until the workflow blocks again (a WAIT, HUMAN,
 * WAIT_FOR_SIGNAL or WAIT_FOR_EVENT step opened after the signalled one, here or in a running
 * sub-workflow), ends, or `timeoutMs` passes. Woken by committed decisions of this engine, and
 * re-reading the store every `recheckMs` for other engines'.
 */
export async function waitUntilBlocked(
  engine: Engine,
  workflowId: string,
  signalled: TaskRecord,
  timeoutMs: number,
  recheckMs: number,
  abort?: AbortSignal,
): Promise<{ target: WorkflowRecord; blocking: Blocked | null; timedOut: boolean }> {
  const deadline = engine.clock.now() + timeoutMs;
  for (;;) {
    const target = await engine.getWorkflow(workflowId);
    const blocking = await findOpen(
      engine,
      target,
      (t) => blockingTypes.has(t.workflowTaskType) && t.taskId !== signalled.taskId && t.seq >= 0,
      0,
    );
    if (isTerminalWorkflow(target.status) || blocking) return { target, blocking, timedOut: false };
    const left = deadline - engine.clock.now();
    if (left <= 0 || abort?.aborted) return { target, blocking: null, timedOut: true };
    await new Promise<void>((resolve) => {
      const ids = [workflowId, signalled.workflowInstanceId];
      const offs: Array<() => void> = [];
      const done = (): void => {
        clearTimeout(timer);
        for (const off of offs) off();
        abort?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(left, recheckMs));
      for (const id of new Set(ids)) offs.push(engine.workflowEvents.subscribe(id, done));
      abort?.addEventListener('abort', done);
    });
  }
}

/** The first open task that `pick` accepts, in this workflow or (when none) in its running sub-workflows. */
async function findOpen(engine: Engine, wf: WorkflowRecord, pick: (t: TaskRecord) => boolean, depth: number): Promise<Blocked | null> {
  const open = (await engine.store.getTasks(wf.workflowId))
    .filter((t) => t.status === TaskStatus.IN_PROGRESS)
    .sort((a, b) => a.seq - b.seq);
  const own = open.find(pick);
  if (own) return { workflow: wf, task: own };
  if (depth >= MAX_NESTING) return null;
  for (const t of open) {
    const childId = t.workflowTaskType === 'SUB_WORKFLOW' ? t.outputData.subWorkflowId : undefined;
    if (typeof childId !== 'string') continue;
    let child: WorkflowRecord;
    try {
      child = await engine.getWorkflow(childId);
    } catch (err) {
      if (err instanceof NotFoundError) continue;
      throw err;
    }
    if (isTerminalWorkflow(child.status)) continue;
    const found = await findOpen(engine, child, pick, depth + 1);
    if (found) return found;
  }
  return null;
}
