import { emptyDeciderState, type JsonObject, type TaskRecord, type WorkflowRecord } from '../domain/records';
import { TaskStatus, WorkflowStatus, isTerminalTask, isTerminalWorkflow } from '../domain/status';
import { BatonError, ConflictError, NotFoundError, ValidationError } from '../errors';
import { childWorkflowIdFor } from '../decider/operators/sub-workflow';
import { terminateChild } from './system-tasks/child-workflows';
import { pendingFailureWorkflow } from '../decider/failure-workflow';
import type { DecideOutcome, Decision } from '../decider';
import { storedOf } from './caches';
import type { Engine } from './engine';
import { launchFailureWorkflow } from './failure-workflow';

/** Conductor's RerunWorkflowRequest. */
export interface RerunRequest {
  reRunFromWorkflowId?: string | undefined;
  reRunFromTaskId?: string | undefined;
  taskInput?: JsonObject | undefined;
  workflowInput?: JsonObject | undefined;
  correlationId?: string | undefined;
}

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
   * Their results are folded in while paused, and what they would move is kept for resume
   * (the decider's `resume` entries). The workflow's timer is cleared (the sweeper would
   * otherwise find it due on every pass and decide a workflow that cannot move).
   */
  async pause(workflowId: string): Promise<void> {
    await this.commitLoop(workflowId, 'pause', (wf) => {
      if (wf.status === WorkflowStatus.PAUSED) return null;
      if (wf.status !== WorkflowStatus.RUNNING)
        throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only a RUNNING workflow can be paused`);
      return this.patch(wf, { status: WorkflowStatus.PAUSED, wakeAt: 0 });
    });
  }

  /**
   * Conductor's resume: RUNNING again, due at once (wakeAt now), then decided: the steps results
   * moved while it was paused go on. Should the engine stop between the two, the sweeper finds
   * the workflow due and decides it.
   */
  async resume(workflowId: string): Promise<void> {
    await this.commitLoop(workflowId, 'resume', (wf) => {
      if (wf.status !== WorkflowStatus.PAUSED)
        throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only a PAUSED workflow can be resumed`);
      return this.patch(wf, { status: WorkflowStatus.RUNNING, wakeAt: this.engine.clock.now() });
    });
    await this.engine.advance(workflowId);
  }

  /**
   * Conductor's restart: an ended workflow runs again from its first step, with the same id and
   * input (and the latest definition when asked). Its finished attempts are deleted first: the new
   * run's steps get the same deterministic ids (domain/ids.ts). Refused for a definition that says
   * `restartable: false`.
   */
  async restart(
    workflowId: string,
    useLatestDefinitions: boolean,
    overrides: { input?: JsonObject | undefined; correlationId?: string | undefined } = {},
  ): Promise<void> {
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
        const definitionId = await this.engine.definitions.register(def);
        const fresh: WorkflowRecord = {
          ...wf,
          workflowName: def.name,
          workflowVersion: def.version ?? 1,
          definitionId,
          definition: def,
          ...(overrides.input ? { input: overrides.input } : {}),
          ...(overrides.correlationId !== undefined ? { correlationId: overrides.correlationId } : {}),
          status: WorkflowStatus.RUNNING,
          output: {},
          variables: structuredClone(def.variables ?? {}) as JsonObject,
          reasonForIncompletion: null,
          failedReferenceTaskNames: [],
          startTime: now,
          endTime: 0,
          updateTime: now,
          state: emptyDeciderState(),
          wakeAt: 0,
          lastRetriedTime: 0,
          timeoutAlertedAt: 0,
        };
        const out = await this.engine.decideFor(fresh, [], now);
        const { workflowId: _id, revision: _rev, state: _state, ...reset } = storedOf(fresh);
        void [_id, _rev, _state];
        // The new run's state replaces the old one whole: every old step goes.
        const unset = Object.keys(wf.state.steps).filter((ref) => !(ref in out.decision.steps.set));
        const changes = { workflow: { ...reset, ...out.decision.workflow }, steps: { set: out.decision.steps.set, unset } };
        const commit = { ...out.decision, ...changes, expectedRevision: wf.revision, ...this.engine.listeners.outbox(wf, changes) };
        this.engine.workflows.evict(workflowId);
        if (!(await this.engine.store.commitDecision(commit))) return false;
        this.engine.log.info({ workflowId, version: fresh.workflowVersion }, 'workflow restarted');
        const restarted: WorkflowRecord = {
          ...fresh,
          ...out.decision.workflow,
          state: { ...out.decision.meta, steps: out.decision.steps.set },
          revision: wf.revision + 1,
        };
        this.engine.afterCommit(restarted, out);
        return true;
      });
      if (done) return;
    }
    throw new ConflictError(`workflow '${workflowId}' is changing too fast to restart; retry`);
  }

  /**
   * Conductor's rerun. From a task: that step and what depends on it run again, in a new
   * generation of attempts (decider/actions.ts), with `taskInput` merged over the step's input and
   * `workflowInput` replacing the workflow's; an ended workflow runs again, a running one has the
   * reset steps' open attempts cancelled. Without a task: the whole workflow runs again, like a
   * restart, with the new input.
   */
  async rerun(workflowId: string, req: RerunRequest): Promise<void> {
    if (req.reRunFromWorkflowId && req.reRunFromWorkflowId !== workflowId) {
      throw new ValidationError(`reRunFromWorkflowId '${req.reRunFromWorkflowId}' is not the workflow in the path`, [
        { pointer: '/reRunFromWorkflowId', message: `must be '${workflowId}' or left out` },
      ]);
    }
    if (!req.reRunFromTaskId) {
      await this.restart(workflowId, false, { input: req.workflowInput, correlationId: req.correlationId });
      return;
    }
    const task = await this.engine.store.getTask(req.reRunFromTaskId);
    if (!task || task.workflowInstanceId !== workflowId)
      throw new NotFoundError(`workflow '${workflowId}' has no task '${req.reRunFromTaskId}'`);
    await this.engine.exclusive(workflowId, async () => {
      for (let tries = 0; tries < MAX_TRIES; tries++) {
        const wf = await this.engine.getWorkflow(workflowId);
        const step = wf.state.steps[task.refName];
        if (step && step.iteration !== task.iteration) {
          throw new ConflictError(
            `task '${task.taskId}' ran in iteration ${task.iteration} of its loop, which is over (now ${step.iteration}): rerun from a task of the current iteration`,
          );
        }
        const now = this.engine.clock.now();
        await this.engine.taskDefs.fresh(now);
        const subject: WorkflowRecord = {
          ...wf,
          ...(req.workflowInput ? { input: req.workflowInput } : {}),
          ...(req.correlationId !== undefined ? { correlationId: req.correlationId } : {}),
        };
        const out = await this.engine.decideFor(subject, [], now, {
          kind: 'rerun',
          ref: task.refName,
          ...(req.taskInput ? { taskInput: req.taskInput } : {}),
        });
        if (out.refused) throw new ConflictError(`cannot rerun workflow '${workflowId}' from '${task.refName}': ${out.refused}`);
        const decision: Decision = {
          ...out.decision,
          workflow: {
            ...out.decision.workflow,
            ...(req.workflowInput ? { input: req.workflowInput } : {}),
            ...(req.correlationId !== undefined ? { correlationId: req.correlationId } : {}),
          },
        };
        if (await this.engine.commitOutside(wf, decision)) {
          this.engine.log.info({ workflowId, from: task.refName }, 'workflow rerun');
          this.engine.afterCommit(wf, { ...out, decision });
          return;
        }
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to rerun; retry`);
    });
  }

  /**
   * Conductor's skip: an open step's attempt ends SKIPPED (with the given output), as if its
   * worker had reported it, and the flow goes on; a step not reached yet is recorded SKIPPED now
   * and passed by when the flow gets there. A skipped sub-workflow's child is terminated.
   */
  async skipTask(workflowId: string, ref: string, req: { taskInput?: JsonObject; taskOutput?: JsonObject }): Promise<void> {
    const wf = await this.engine.getWorkflow(workflowId);
    if (wf.status !== WorkflowStatus.RUNNING && wf.status !== WorkflowStatus.PAUSED) {
      throw new ConflictError(`workflow '${workflowId}' is ${wf.status}; only a running or paused workflow's steps can be skipped`);
    }
    const output = req.taskOutput ?? {};
    const step = wf.state.steps[ref];
    if (step && !isTerminalTask(step.status)) {
      const task = await this.engine.store.getTask(step.taskId);
      if (!task) throw new NotFoundError(`task of step '${ref}' not found`);
      const result = { status: TaskStatus.SKIPPED, outputData: output, reasonForIncompletion: 'skipped by an operator' };
      const now = this.engine.clock.now();
      const done = task.queued
        ? await this.engine.store.completeOpenAttempt(task.taskId, { status: task.status, attemptToken: task.attemptToken }, result, now)
        : await this.engine.store.completeEngineTask(task.taskId, {}, result, now);
      if (!done) throw new ConflictError(`step '${ref}' changed while it was being skipped; retry`);
      if (task.workflowTaskType === 'SUB_WORKFLOW')
        await terminateChild(this.engine, childWorkflowIdFor(task.taskId), `skipped in parent workflow ${workflowId}`);
      await this.engine.advance(workflowId, [done]);
      return;
    }
    await this.commitLoop(workflowId, 'skip a step of', async (current) => {
      const now = this.engine.clock.now();
      const out = await this.engine.decideFor(current, [], now, { kind: 'skip', ref, input: req.taskInput ?? {}, output });
      if (out.refused) throw new ConflictError(`cannot skip '${ref}' in workflow '${workflowId}': ${out.refused}`);
      return out.decision;
    });
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
      return this.patch(wf, { variables: merged });
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
    change: (wf: WorkflowRecord) => Decision | null | Promise<Decision | null>,
  ): Promise<void> {
    await this.engine.exclusive(workflowId, async () => {
      for (let tries = 0; tries < MAX_TRIES; tries++) {
        const wf = await this.engine.getWorkflow(workflowId);
        const decision = await change(wf);
        if (!decision) return;
        if (await this.engine.commitOutside(wf, decision)) {
          const out: DecideOutcome = { changed: true, yielded: false, decision };
          this.engine.afterCommit(wf, out);
          return;
        }
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to ${what}; retry`);
    });
  }

  /** A decision that changes workflow fields only. */
  private patch(wf: WorkflowRecord, fields: Decision['workflow']): Decision {
    const now = this.engine.clock.now();
    const { steps: _steps, ...meta } = wf.state;
    void _steps;
    return {
      workflowId: wf.workflowId,
      workflow: { ...fields, updateTime: now },
      steps: { set: {}, unset: [] },
      meta,
      newTasks: [],
      appliedTaskIds: [],
      closeTasks: [],
      taskOutputs: [],
      exhaustedTaskIds: [],
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
