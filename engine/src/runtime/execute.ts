import type { TaskRecord, WorkflowRecord } from '../domain/records';
import { isTerminalWorkflow } from '../domain/status';
import type { Engine, StartRequest } from './engine';
import { startIdempotent } from './reactions/idempotency';

export interface ExecuteWait {
  /** Stop waiting when a task with one of these reference names is scheduled (empty: wait for the end). */
  untilTaskRefs: readonly string[];
  waitMs: number;
  /** How often to re-read the store meanwhile, for decisions committed by other engines. */
  recheckMs: number;
  signal?: AbortSignal;
}

export interface ExecuteResult {
  workflow: WorkflowRecord;
  tasks: TaskRecord[];
  /** The wait ended on its time limit (or the client left), before the workflow ended or reached a named task. */
  timedOut: boolean;
}

/**
 * Conductor's execute (`POST /workflow/execute/{name}/{version}`): starts a workflow and answers
 * when it ends, when a task with one of `untilTaskRefs` is scheduled, or after `waitMs`, whichever
 * is first. Woken by this engine's committed decisions (Engine.workflowEvents), not by polling;
 * the store is re-read once per `recheckMs` only to learn of decisions another engine committed.
 */
export async function executeWorkflow(engine: Engine, req: StartRequest, wait: ExecuteWait): Promise<ExecuteResult> {
  const deadline = engine.clock.now() + wait.waitMs;
  const refs = new Set(wait.untilTaskRefs);
  const reached = (tasks: readonly TaskRecord[]): boolean =>
    refs.size > 0 && tasks.some((t) => refs.has(t.referenceTaskName) || refs.has(t.refName));
  // An idempotency key's FAIL conflict names the existing run (reactions/idempotency.ts).
  const workflowId = await startIdempotent(engine, req);
  let signalled = false;
  let wake: (() => void) | null = null;
  // Subscribed before the first read of the store: a decision between the two is not missed.
  const unsubscribe = engine.workflowEvents.subscribe(workflowId, (change) => {
    if (isTerminalWorkflow(change.workflow.status) || reached(change.newTasks)) {
      signalled = true;
      wake?.();
    }
  });
  try {
    for (;;) {
      // The store is the truth: it is read after a wake-up and at each re-check, never in a loop.
      const workflow = await engine.getWorkflow(workflowId);
      const tasks = await engine.store.getTasks(workflowId);
      if (isTerminalWorkflow(workflow.status) || reached(tasks)) return { workflow, tasks, timedOut: false };
      const left = deadline - engine.clock.now();
      if (left <= 0 || wait.signal?.aborted) return { workflow, tasks, timedOut: true };
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wait.signal?.removeEventListener('abort', done);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, wait.recheckMs));
        wait.signal?.addEventListener('abort', done);
        wake = done;
        if (signalled) done();
      });
      signalled = false;
    }
  } finally {
    unsubscribe();
  }
}
