import type { JsonObject, TaskRecord, WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalTask, isTerminalWorkflow } from '../domain/status';
import { BatonError, ConflictError, NotFoundError } from '../errors';
import type { CommitDecision } from '../store/port';
import { pendingFailureWorkflow } from '../decider/failure-workflow';
import type { DecideOutcome } from '../decider';
import type { Engine } from './engine';
import { launchFailureWorkflow } from './failure-workflow';

/** Revision conflicts an operator's action re-reads and retries before giving up (another engine keeps deciding). */
const MAX_TRIES = 20;

/**
 * Operators' actions on one workflow beyond start, terminate and retry (Conductor's pause, resume,
 * restart, remove, variables). Each is a revision-checked commit through the store port, under
 * the engine's per-workflow lock, with the decider run (Engine.decideFor) wherever steps may be
 * scheduled: the same path a decision takes, so crashes and racing engines are handled alike.
 */
export class Lifecycle {
  constructor(private readonly engine: Engine) {}

  /**
   * Conductor's pause: no step is scheduled until resume; running attempts go on and may report.
   * The workflow's timer is cleared (the sweeper would otherwise find it due on every pass and
   * decide a workflow that cannot move); resume's decision sets it again.
   */
  async pause(workflowId: string): Promise<void> {
    await this.commitLoop(workflowId, 'pause', (wf) => {
      if (wf.status === WorkflowStatus.PAUSED) return null;
      if (wf.status !== WorkflowStatus.RUNNING)
        throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only a RUNNING workflow can be paused`);
      return { commit: this.patch(wf, { status: WorkflowStatus.PAUSED, wakeAt: 0 }) };
    });
  }

  /**
   * Conductor's resume. Results reported while paused were recorded but not folded into the
   * workflow (the decider leaves a PAUSED workflow as it is): they are folded now, in the same
   * commit that sets RUNNING, so a crash cannot leave a running workflow waiting for them.
   */
  async resume(workflowId: string): Promise<void> {
    await this.commitLoop(workflowId, 'resume', async (wf) => {
      if (wf.status !== WorkflowStatus.PAUSED)
        throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only a PAUSED workflow can be resumed`);
      const now = this.engine.clock.now();
      await this.engine.taskDefs.fresh(now);
      const results = (await this.engine.store.getTasks(workflowId)).filter((t) => isTerminalTask(t.status));
      const running: WorkflowRecord = { ...wf, status: WorkflowStatus.RUNNING };
      const out = this.engine.decideFor(running, results, now);
      return {
        commit: {
          ...out.commit,
          expectedRevision: wf.revision,
          workflow: { status: WorkflowStatus.RUNNING, ...out.commit.workflow, updateTime: now },
        },
        out,
      };
    });
  }

  /**
   * Conductor's restart: an ended workflow runs again from its first step, with the same id and
   * input (and the latest definition when asked). Its finished attempts are deleted first: the new
   * run's steps get the same deterministic ids (domain/ids.ts). Refused for a definition that says
   * `restartable: false`.
   */
  async restart(workflowId: string, useLatestDefinitions: boolean): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const wf = await this.engine.getWorkflow(workflowId);
      if (!isTerminalWorkflow(wf.status))
        throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only an ended workflow can be restarted`);
      // Its compensation was due when it failed: start it first, so the restart cannot lose it.
      if (pendingFailureWorkflow(wf)) {
        await launchFailureWorkflow(this.engine, wf);
        continue;
      }
      const def = useLatestDefinitions ? await this.engine.store.getWorkflowDef(wf.workflowName) : wf.definition;
      if (!def) throw new NotFoundError(`workflow definition '${wf.workflowName}' not found`);
      if (def.restartable === false)
        throw new ConflictError(`workflow '${workflowId}' cannot be restarted: its definition says restartable: false`);
      const done = await this.engine.exclusive(workflowId, async () => {
        await this.engine.store.deleteFinishedTasks(workflowId);
        const now = this.engine.clock.now();
        await this.engine.taskDefs.fresh(now);
        const fresh: WorkflowRecord = {
          ...wf,
          workflowName: def.name,
          workflowVersion: def.version ?? 1,
          definition: def,
          status: WorkflowStatus.RUNNING,
          output: {},
          variables: structuredClone(def.variables ?? {}) as JsonObject,
          reasonForIncompletion: null,
          failedReferenceTaskNames: [],
          startTime: now,
          endTime: 0,
          updateTime: now,
          state: { seq: 0, steps: {} },
          wakeAt: 0,
          lastRetriedTime: 0,
          timeoutAlertedAt: 0,
        };
        const out = this.engine.decideFor(fresh, [], now);
        const { workflowId: _id, revision: _rev, ...reset } = fresh;
        void _id;
        void _rev;
        const commit = { ...out.commit, workflow: { ...reset, ...out.commit.workflow }, expectedRevision: wf.revision };
        if (!(await this.engine.store.commitDecision(commit))) return false;
        this.engine.log.info({ workflowId, version: fresh.workflowVersion }, 'workflow restarted');
        this.engine.afterCommit({ ...fresh, ...out.commit.workflow, revision: wf.revision + 1 }, out);
        return true;
      });
      if (done) return;
    }
    throw new ConflictError(`workflow '${workflowId}' is changing too fast to restart; retry`);
  }

  /**
   * Conductor's remove. Baton refuses to remove a workflow that has not ended (workers and child
   * workflows would be left reporting to nothing): terminate it first, or use terminate-remove.
   */
  async remove(workflowId: string): Promise<void> {
    const wf = await this.engine.getWorkflow(workflowId);
    if (!isTerminalWorkflow(wf.status)) {
      throw new ConflictError(
        `workflow '${workflowId}' is ${wf.status}; terminate it first (or use DELETE /workflow/${workflowId}/terminate-remove)`,
      );
    }
    if (!(await this.engine.store.removeWorkflow(workflowId))) throw new NotFoundError(`workflow '${workflowId}' not found`);
    this.engine.log.info({ workflowId }, 'workflow removed');
  }

  async terminateAndRemove(workflowId: string, reason: string): Promise<void> {
    const wf = await this.engine.getWorkflow(workflowId);
    if (!isTerminalWorkflow(wf.status)) {
      try {
        await this.engine.terminate(workflowId, reason);
      } catch (err) {
        // Ended meanwhile: removing it is still what was asked.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    await this.remove(workflowId);
  }

  /** Sets workflow variables (merged into the current ones) of a workflow that has not ended. */
  async updateVariables(workflowId: string, variables: JsonObject): Promise<WorkflowRecord> {
    let result: WorkflowRecord | null = null;
    await this.commitLoop(workflowId, 'update the variables of', (wf) => {
      if (isTerminalWorkflow(wf.status)) throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; its variables are history`);
      const merged = { ...wf.variables, ...variables };
      result = { ...wf, variables: merged };
      return { commit: this.patch(wf, { variables: merged }) };
    });
    return result ?? (await this.engine.getWorkflow(workflowId));
  }

  /**
   * Completes an open worker attempt of a step by reference name, before or after a worker
   * claimed it, as Conductor allows: the attempt ends with the given status and output, and a
   * worker that holds it is answered 409 (or ignored, see api/stale-report.ts) when it reports.
   */
  async completeWorkerTask(
    task: TaskRecord,
    status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR',
    output: JsonObject,
    reason: string | null,
  ): Promise<void> {
    const now = this.engine.clock.now();
    const done = await this.engine.store.completeOpenAttempt(
      task.taskId,
      { status: task.status, attemptToken: task.attemptToken },
      { status: TaskStatus[status], outputData: output, reasonForIncompletion: reason },
      now,
    );
    if (!done) throw new ConflictError(`task '${task.referenceTaskName}' changed while it was being completed; retry`);
    try {
      await this.engine.advance(task.workflowInstanceId, [done]);
    } catch (err) {
      // The result is durable; the sweeper decides it if this decision failed.
      this.engine.log.warn(
        { err, workflowId: task.workflowInstanceId, taskId: task.taskId },
        'decide after completion failed; the sweeper will retry',
      );
    }
  }

  /** Runs `change` on the current workflow until its commit wins the revision check. */
  private async commitLoop(
    workflowId: string,
    what: string,
    change: (
      wf: WorkflowRecord,
    ) => { commit: CommitDecision; out?: DecideOutcome } | null | Promise<{ commit: CommitDecision; out?: DecideOutcome } | null>,
  ): Promise<void> {
    await this.engine.exclusive(workflowId, async () => {
      for (let tries = 0; tries < MAX_TRIES; tries++) {
        const wf = await this.engine.getWorkflow(workflowId);
        const next = await change(wf);
        if (!next) return;
        if (await this.engine.store.commitDecision({ ...next.commit, expectedRevision: wf.revision })) {
          if (next.out)
            this.engine.afterCommit({ ...wf, ...next.commit.workflow, revision: wf.revision + 1 }, { ...next.out, commit: next.commit });
          return;
        }
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to ${what}; retry`);
    });
  }

  private patch(wf: WorkflowRecord, fields: Partial<WorkflowRecord>): CommitDecision {
    const now = this.engine.clock.now();
    return {
      workflowId: wf.workflowId,
      expectedRevision: wf.revision,
      workflow: { ...fields, updateTime: now },
      newTasks: [],
      appliedTaskIds: [],
      closeTasks: [],
      now,
    };
  }
}

/** Runs one operation per id and sorts the outcomes as Conductor's BulkResponse does. */
export async function bulk(
  ids: readonly string[],
  op: (id: string) => Promise<void>,
): Promise<{ bulkSuccessfulResults: string[]; bulkErrorResults: Record<string, string> }> {
  const bulkSuccessfulResults: string[] = [];
  const bulkErrorResults: Record<string, string> = {};
  for (const id of new Set(ids)) {
    try {
      await op(id);
      bulkSuccessfulResults.push(id);
    } catch (err) {
      if (!(err instanceof BatonError) || err.retryable) throw err;
      bulkErrorResults[id] = err.message;
    }
  }
  return { bulkSuccessfulResults, bulkErrorResults };
}
