import type { DecideOutcome } from '../../decider';
import type { JsonObject, TaskRecord, WorkflowRecord } from '../../domain/records';
import { TaskStatus, isTerminalWorkflow, type ReportableStatus } from '../../domain/status';
import { ConflictError, NotFoundError } from '../../errors';
import type { Engine } from '../engine';
import { childWorkflowIdFor } from '../../decider/operators/sub-workflow';
import { AttemptCancellations } from './cancellations';
import { refuseEngineReport } from './engine-queues';
import { isChildTask, notifyParent, reconcileChild, startChild, terminateChild } from './child-workflows';

/**
 * The engine's side of system tasks that need I/O the pure decider cannot do: starting child
 * workflows, passing their end to the parent, cascading a parent's end, firing WAIT timers, and
 * completing engine-held tasks over REST. Work triggered by a commit runs after it, in the
 * background: it is all idempotent, and the sweeper redoes whatever a crash interrupted.
 */
export class SystemTasks {
  /** Engine-run attempts in flight (HTTP, jq), aborted when a decision or the sweeper closes them. */
  readonly cancellations = new AttemptCancellations();

  constructor(private readonly engine: Engine) {}

  /** Called by the engine after each committed decision. */
  afterCommit(wf: WorkflowRecord, out: DecideOutcome): void {
    const d = out.decision;
    for (const t of d.newTasks) {
      if (isChildTask(t) && t.status === TaskStatus.IN_PROGRESS) this.background(startChild(this.engine, t), t);
    }
    // WAIT_FOR_EVENT, WAIT_FOR_SIGNAL, EVENT; flow-control slots of a run that ended (runtime/reactions).
    this.engine.reactions.afterCommit(wf, out);
    const status = d.workflow.status;
    if (status && isTerminalWorkflow(status) && wf.parentWorkflowTaskId)
      this.background(notifyParent(this.engine, { ...wf, status }), null);
    for (const c of d.closeTasks)
      this.cancellations.cancel(c.taskId, `the attempt was closed (${c.status}${c.reason ? `: ${c.reason}` : ''})`);
    // A closed SUB_WORKFLOW step's child is terminated; its id derives from the step's attempt.
    const closed = new Set(d.closeTasks.map((c) => c.taskId));
    if (closed.size) {
      for (const [ref, step] of Object.entries(d.steps.set)) {
        if (step.taskType !== 'SUB_WORKFLOW' || !closed.has(step.taskId)) continue;
        const reason = `parent workflow ${wf.workflowId} ended: ${step.reason ?? step.status} (${ref})`;
        this.background(terminateChild(this.engine, childWorkflowIdFor(step.taskId), reason), null);
      }
    }
  }

  /** The sweeper: engine-held tasks whose timer is due (WAIT ends; SUB_WORKFLOW re-checks its child). */
  async sweepTimers(now: number, batch: number): Promise<number> {
    const due = await this.engine.store.dueTaskTimers(now, batch);
    for (const t of due) {
      try {
        if (t.workflowTaskType === 'WAIT') {
          const done = await this.engine.store.completeEngineTask(
            t.taskId,
            { wakeAt: t.wakeAt },
            { status: TaskStatus.COMPLETED, outputData: t.outputData, reasonForIncompletion: null },
            now,
          );
          if (done) await this.engine.advance(t.workflowInstanceId, [done]);
        } else if (isChildTask(t)) {
          await reconcileChild(this.engine, t);
        } else if (this.engine.reactions.handlesTimer(t)) {
          await this.engine.reactions.onTimer(t, now);
        }
      } catch (err) {
        this.engine.log.warn(
          { err, workflowId: t.workflowInstanceId, taskId: t.taskId },
          'task timer could not be handled; the next sweep retries',
        );
      }
    }
    return due.length;
  }

  /** Conductor's `POST /tasks/{workflowId}/{taskRefName}/{status}`: completes the step's open attempt; answers its id. */
  async completeByRef(
    workflowId: string,
    ref: string,
    status: ReportableStatus,
    output: JsonObject,
    reason: string | null,
  ): Promise<string> {
    const wf = await this.engine.store.getWorkflow(workflowId);
    if (!wf) throw new NotFoundError(`workflow '${workflowId}' not found`);
    const tasks = (await this.engine.store.getTasks(workflowId)).filter((t) => t.referenceTaskName === ref || t.refName === ref);
    if (tasks.length === 0) throw new NotFoundError(`workflow '${workflowId}' has no task '${ref}'`);
    const open = latest(tasks.filter((t) => t.status === TaskStatus.IN_PROGRESS || t.status === TaskStatus.SCHEDULED));
    if (!open)
      throw new ConflictError(`task '${ref}' of workflow '${workflowId}' is not open (it is ${latest(tasks)?.status ?? 'unknown'})`);
    refuseEngineReport(open);
    await this.engine.report({
      taskId: open.taskId,
      workflowInstanceId: workflowId,
      workerId: null,
      attemptToken: null,
      status,
      outputData: output,
      reasonForIncompletion: reason,
      callbackAfterSeconds: 0,
      extendLease: false,
      logs: [],
    });
    return open.taskId;
  }

  private background(p: Promise<void>, task: TaskRecord | null): void {
    p.catch((err: unknown) => this.engine.log.warn({ err, taskId: task?.taskId }, 'system task step failed; the sweeper will retry'));
  }
}

const latest = (ts: TaskRecord[]): TaskRecord | undefined =>
  ts.reduce<TaskRecord | undefined>((a, t) => (!a || t.seq > a.seq ? t : a), undefined);
